/**
 * bench/verifier/load — the load generator of bench/verifier, run as a SECOND process (so that it
 * does not share the server's event loop): autocannon posts every prepared `direct_post.jwt`
 * response once, each to its own transaction's response URI, over `connections` keep-alive
 * connections on loopback, and prints one JSON line of results.
 *
 * Usage: node --import tsx bench/verifier/load.ts <origin> <bodies.jsonl> <connections>
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface Histogram {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly average: number;
  readonly max: number;
}

interface AutocannonResult {
  readonly latency: Histogram;
  readonly requests: { readonly average: number; readonly total: number; readonly sent: number };
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly '2xx': number;
  readonly statusCodeStats: Record<string, { readonly count: number }>;
}

interface RawRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}

type Autocannon = (
  options: Record<string, unknown>,
  done: (err: Error | null, result: AutocannonResult) => void,
) => unknown;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const [origin, file, connectionsText] = process.argv.slice(2);
if (origin === undefined || file === undefined || connectionsText === undefined) {
  console.error('usage: load.ts <origin> <bodies.jsonl> <connections>');
  process.exit(2);
}
const bodies = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l !== '')
  .map((l) => JSON.parse(l) as { path: string; body: string });
let next = 0;
const started = performance.now();
autocannon(
  {
    url: origin,
    connections: Number(connectionsText),
    amount: bodies.length,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: RawRequest) => {
          const b = bodies[next++ % bodies.length] as { path: string; body: string };
          req.method = 'POST';
          req.path = b.path;
          req.body = b.body;
          req.headers = { 'content-type': 'application/x-www-form-urlencoded' };
          return req;
        },
      },
    ],
  },
  (err, r) => {
    if (err) {
      console.error(err.message);
      process.exit(1);
    }
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `${JSON.stringify({
        total: r.requests.total,
        ok: r['2xx'],
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        seconds,
        perSecond: r['2xx'] / seconds,
        p50: r.latency.p50,
        p90: r.latency.p90,
        p99: r.latency.p99,
        max: r.latency.max,
        statuses: Object.fromEntries(
          Object.entries(r.statusCodeStats).map(([k, v]) => [k, v.count]),
        ),
        // CPU the load generator itself used: it shares the machine with the server and the store.
        cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
      })}\n`,
    );
  },
);
