import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/server.fixture.ts', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

function waitFor(
  lines: string[],
  predicate: (l: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), 20_000);
    const check = () => {
      for (const l of lines) {
        try {
          const parsed = JSON.parse(l) as Record<string, unknown>;
          if (predicate(parsed)) {
            clearTimeout(timer);
            resolve(parsed);
            return;
          }
        } catch {
          // not a log line
        }
      }
      setTimeout(check, 20);
    };
    check();
  });
}

test('SIGTERM lets the in-flight request finish, runs the close hook and exits 0', async () => {
  const lines: string[] = [];
  child = spawn(process.execPath, ['--conditions=@openmid/source', '--import', 'tsx', fixture], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  child.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((r) => child?.on('exit', (code) => r(code)));
  const { port } = await waitFor(lines, (l) => l['msg'] === 'listening');
  const slow = fetch(`http://127.0.0.1:${String(port)}/slow`).then((r) => r.status);
  await waitFor(lines, (l) => l['phase'] === 'slow-started');
  child.kill('SIGTERM');
  expect(await slow).toBe(200);
  expect(await exited).toBe(0);
  const msgs = lines.map((l) => (JSON.parse(l) as { msg?: string }).msg);
  expect(msgs).toEqual(
    expect.arrayContaining(['signal received', 'shutting down', 'close hook', 'stopped']),
  );
  expect(msgs.indexOf('close hook')).toBeGreaterThan(msgs.indexOf('shutting down'));
});
