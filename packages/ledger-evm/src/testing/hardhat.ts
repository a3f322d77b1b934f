/**
 * @module testing/hardhat
 * A real local EVM JSON-RPC node for tests and benchmarks: Hardhat 2.28's node (EDR, Osaka hard
 * fork, so the P256VERIFY precompile is there) on 127.0.0.1 and a free port, started as a child
 * process from this package's folder (where `hardhat.config.cjs` is) and stopped by its PID.
 * Plus viem clients for it: public (no response caching, so a freshly mined block is seen at
 * once), wallet (the node's first unlocked account) and test (mine, snapshot, revert, time).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  type PublicClient,
  type TestClient,
} from 'viem';
import { hardhat } from 'viem/chains';
import type { SendingClient } from '../registry.js';

/** A running Hardhat node. */
export interface HardhatNode {
  readonly url: string;
  readonly pid: number;
  /** Stop the node (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

const PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    return r.ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** Start a Hardhat node on a free port; resolves once it answers `eth_chainId`. */
export async function startHardhatNode(): Promise<HardhatNode> {
  const require = createRequire(import.meta.url);
  const bin = require.resolve('hardhat/internal/cli/bootstrap.js');
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [bin, 'node', '--hostname', '127.0.0.1', '--port', String(port)],
      {
        cwd: PACKAGE_DIR,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true' },
      },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await answers(url)) {
        const pid = child.pid as number;
        return {
          url,
          pid,
          async stop() {
            child.kill('SIGTERM');
            if (!(await exited(child, 5000))) child.kill('SIGKILL');
          },
        };
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    child.kill('SIGKILL');
    if (attempt === 2) throw new Error(`hardhat node did not start: ${stderr}`);
  }
  throw new Error('hardhat node did not start');
}

/** viem clients for a node. */
export interface HardhatClients {
  readonly publicClient: PublicClient;
  readonly walletClient: SendingClient;
  readonly testClient: TestClient;
  readonly accounts: readonly Address[];
}

/** Clients for `url`, sending from the node's account `accountIndex` (default 0). */
export async function hardhatClients(url: string, accountIndex = 0): Promise<HardhatClients> {
  const transport = http(url, { retryCount: 0 });
  const publicClient = createPublicClient({
    chain: hardhat,
    transport,
    cacheTime: 0,
    pollingInterval: 50,
  });
  const accounts = await createWalletClient({ chain: hardhat, transport }).getAddresses();
  const account = accounts[accountIndex];
  if (!account) throw new Error('the node has no unlocked account');
  const walletClient = createWalletClient({ chain: hardhat, transport, account }) as SendingClient;
  const testClient = createTestClient({ chain: hardhat, mode: 'hardhat', transport });
  return { publicClient: publicClient as PublicClient, walletClient, testClient, accounts };
}
