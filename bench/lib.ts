/**
 * @module bench/lib
 * A small, noise-resistant benchmark harness. The machines are shared and noisy, so every figure
 * is reported as a ratio against a reference measured in the same run, and rounds are interleaved
 * (reference, candidate, reference, candidate, …) so that drifting load hits both alike. Each
 * round measures every case for `roundMs`; we report the median rate and the median of the
 * per-round ratios.
 */

/** One measured operation. `fn` may be sync or async; its result is consumed. */
export interface BenchCase {
  readonly name: string;
  readonly fn: () => unknown;
}

/** Options of {@link compare}. */
export interface CompareOptions {
  readonly rounds?: number;
  readonly roundMs?: number;
  readonly warmupMs?: number;
}

/** Per-case result. */
export interface CaseResult {
  readonly name: string;
  /** Median operations per second over the rounds. */
  readonly opsPerSec: number;
  /** Median per-round ratio of this case's rate to the reference (first case) rate. */
  readonly ratio: number;
  readonly rates: readonly number[];
}

let sink: unknown;

/** Keep results alive so the engine cannot discard the work. */
export function consume(value: unknown): void {
  sink = value;
}

function isPromise(v: unknown): v is Promise<unknown> {
  return (
    typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function'
  );
}

async function run(fn: () => unknown, ms: number): Promise<number> {
  const start = performance.now();
  const end = start + ms;
  let n = 0;
  let now = start;
  // Check the clock every `batch` calls to keep timer overhead out of fast operations.
  let batch = 1;
  while (now < end) {
    for (let i = 0; i < batch; i++) {
      const r = fn();
      sink = isPromise(r) ? await r : r;
    }
    n += batch;
    now = performance.now();
    if (now - start < ms / 20) batch *= 2;
  }
  return (n * 1000) / (now - start);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Measure `cases` in interleaved rounds; the first case is the reference of every ratio.
 */
export async function compare(
  cases: readonly BenchCase[],
  options?: CompareOptions,
): Promise<CaseResult[]> {
  const rounds = options?.rounds ?? 9;
  const roundMs = options?.roundMs ?? 300;
  for (const c of cases) await run(c.fn, options?.warmupMs ?? 300);
  const rates: number[][] = cases.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < cases.length; i++)
      (rates[i] as number[]).push(await run((cases[i] as BenchCase).fn, roundMs));
  }
  const ref = rates[0] as number[];
  return cases.map((c, i) => {
    const own = rates[i] as number[];
    return {
      name: c.name,
      opsPerSec: median(own),
      ratio: median(own.map((v, k) => v / (ref[k] as number))),
      rates: own,
    };
  });
}

/** Format a number of operations per second. */
export function fmtRate(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

/** Print a result table with ratios against the first row (and optional extra ratio columns). */
export function printTable(title: string, results: readonly CaseResult[]): void {
  const w = Math.max(...results.map((r) => r.name.length), 10);
  console.log(`\n${title}`);
  console.log(
    `${'case'.padEnd(w)}  ${'ops/s'.padStart(12)}  ${'× ref'.padStart(7)}  ${'µs/op'.padStart(9)}`,
  );
  for (const r of results) {
    console.log(
      `${r.name.padEnd(w)}  ${fmtRate(r.opsPerSec).padStart(12)}  ${r.ratio.toFixed(3).padStart(7)}  ${(1e6 / r.opsPerSec).toFixed(1).padStart(9)}`,
    );
  }
  void sink;
}

/** A target line: PASS/MISS with the measured and required ratio. */
export function target(label: string, measured: number, required: number): string {
  const ok = measured >= required;
  return `${ok ? 'PASS' : 'MISS'}  ${label}: ${measured.toFixed(3)} (target ≥ ${required})`;
}
