/**
 * @module backend
 * Open the backend the configuration names (`OPENMID_LEDGER`):
 *
 * - `embedded` (default): `@openmid/ledger/embedded`, the RFC 9162 log in the node's SQL store
 *   (PGlite in DATA_DIR, or PostgreSQL by DATABASE_URL);
 * - `evm`: `@openmid/ledger-evm` on the chain at EVM_RPC_URL. The registry is LEDGER_CONTRACT
 *   (deployed from LEDGER_FROM_BLOCK); a development node without one deploys it on first start
 *   and remembers it in `DATA_DIR/evm-registry.json` (redeployed when that chain no longer has
 *   it, e.g. a restarted local node). Entries are confirmed at LEDGER_CONFIRMATIONS blocks; the
 *   node follows the chain every LEDGER_SYNC_MS.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenMidError } from '@openmid/core/errors';
import type { Signer } from '@openmid/core/keys';
import type { TrustLedger } from '@openmid/ledger';
import { LEDGER_MIGRATIONS, openEmbeddedLedger } from '@openmid/ledger/embedded';
import {
  deployRegistry,
  type EvmLedger,
  openEvmLedger,
  type SendingClient,
} from '@openmid/ledger-evm';
import { type Logger, type Migration, type Sql, safeError } from '@openmid/server-kit';
import {
  type Address,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { LedgerConfig } from './config.js';

/** The migrations of each backend (besides server-kit's). */
export function backendMigrations(
  config: Pick<LedgerConfig, 'OPENMID_LEDGER'>,
): readonly Migration[] {
  return config.OPENMID_LEDGER === 'embedded' ? LEDGER_MIGRATIONS : [];
}

/** An opened backend. */
export interface Backend {
  readonly ledger: TrustLedger;
  readonly kind: 'embedded' | 'evm';
  /** EVM: where the registry is. */
  readonly chain?: {
    readonly chainId: number;
    readonly contract: string;
    readonly confirmations: number;
  };
  /** EVM: follow the chain now (new confirmed entries, reorganisations). Embedded: nothing. */
  sync(): Promise<void>;
  /** Stop following the chain; close the ledger (the SQL store belongs to the caller). */
  close(): Promise<void>;
}

/** Inputs of {@link openBackend}. */
export interface BackendInputs {
  /** The migrated SQL store (the embedded log lives in it). */
  readonly sql: Sql;
  /** The log key. */
  readonly signer: Signer;
  readonly logger: Logger;
  /** Seconds. */
  readonly clock?: () => number;
}

/** Open the configured backend. */
export async function openBackend(config: LedgerConfig, inputs: BackendInputs): Promise<Backend> {
  if (config.OPENMID_LEDGER === 'embedded') {
    const ledger = await openEmbeddedLedger({
      sql: inputs.sql,
      signer: inputs.signer,
      ...(inputs.clock ? { clock: inputs.clock } : {}),
    });
    return {
      ledger,
      kind: 'embedded',
      sync: async () => undefined,
      close: () => ledger.close(),
    };
  }
  return openEvmBackend(config, inputs);
}

interface RegistryFile {
  readonly chainId: number;
  readonly address: Address;
  readonly blockNumber: number;
}

function readRegistryFile(path: string): RegistryFile | undefined {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<RegistryFile>;
    if (
      typeof v.chainId === 'number' &&
      typeof v.address === 'string' &&
      /^0x[0-9a-fA-F]{40}$/.test(v.address) &&
      typeof v.blockNumber === 'number'
    ) {
      return v as RegistryFile;
    }
  } catch {
    // absent or unreadable: deploy a new one
  }
  return undefined;
}

async function openEvmBackend(config: LedgerConfig, inputs: BackendInputs): Promise<Backend> {
  const rpc = config.EVM_RPC_URL;
  if (rpc === undefined) {
    throw new OpenMidError('ERR_CONFIG_INVALID', 'OPENMID_LEDGER=evm needs EVM_RPC_URL', {
      details: { variables: ['EVM_RPC_URL'] },
    });
  }
  const dev = config.NODE_ENV === 'development';
  const transport = http(rpc, { retryCount: 1, timeout: 15_000 });
  const probe = createPublicClient({ transport, cacheTime: 0 });
  let chainId: number;
  try {
    chainId = await probe.getChainId();
  } catch (e) {
    throw new OpenMidError('ERR_LEDGER_UNAVAILABLE', 'The EVM node does not answer', { cause: e });
  }
  const chain = defineChain({
    id: chainId,
    name: `openmid-ledger-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpc] } },
  });
  const publicClient = createPublicClient({
    chain,
    transport,
    cacheTime: 0,
    pollingInterval: 100,
  }) as PublicClient;
  let walletClient: SendingClient;
  if (config.EVM_PRIVATE_KEY !== undefined) {
    const account = privateKeyToAccount(config.EVM_PRIVATE_KEY as `0x${string}`);
    walletClient = createWalletClient({ chain, transport, account }) as SendingClient;
  } else {
    if (!dev) {
      throw new OpenMidError('ERR_CONFIG_INVALID', 'OPENMID_LEDGER=evm needs EVM_PRIVATE_KEY', {
        details: { variables: ['EVM_PRIVATE_KEY'] },
      });
    }
    // Development: the local node's first unlocked account.
    const [account] = await createWalletClient({ chain, transport }).getAddresses();
    if (account === undefined) {
      throw new OpenMidError('ERR_CONFIG_INVALID', 'The EVM node has no unlocked account', {
        details: { variables: ['EVM_PRIVATE_KEY'] },
      });
    }
    walletClient = createWalletClient({ chain, transport, account }) as SendingClient;
  }

  let address = config.LEDGER_CONTRACT as Address | undefined;
  let fromBlock = BigInt(config.LEDGER_FROM_BLOCK);
  if (address === undefined) {
    if (!dev) {
      throw new OpenMidError('ERR_CONFIG_INVALID', 'OPENMID_LEDGER=evm needs LEDGER_CONTRACT', {
        details: { variables: ['LEDGER_CONTRACT'] },
      });
    }
    const file = join(config.DATA_DIR, 'evm-registry.json');
    const known = readRegistryFile(file);
    const code =
      known && known.chainId === chainId
        ? await publicClient.getCode({ address: known.address }).catch(() => undefined)
        : undefined;
    if (known && code !== undefined && code !== '0x') {
      address = known.address;
      fromBlock = BigInt(known.blockNumber);
    } else {
      const deployed = await deployRegistry({ walletClient, publicClient });
      address = deployed.address;
      fromBlock = deployed.blockNumber;
      const record: RegistryFile = {
        chainId,
        address: deployed.address,
        blockNumber: Number(deployed.blockNumber),
      };
      writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
      inputs.logger.info(
        { chainId, contract: deployed.address, block: record.blockNumber },
        'registry deployed (development)',
      );
    }
  }

  const ledger: EvmLedger = await openEvmLedger({
    publicClient,
    walletClient,
    address,
    fromBlock,
    signer: inputs.signer,
    confirmations: config.LEDGER_CONFIRMATIONS,
    ...(inputs.clock ? { clock: inputs.clock } : {}),
  });
  let failing = false;
  const sync = async (): Promise<void> => {
    await ledger.sync();
  };
  const timer = setInterval(() => {
    ledger.sync().then(
      () => {
        if (failing) inputs.logger.info('chain reachable again');
        failing = false;
      },
      (e: unknown) => {
        if (!failing) inputs.logger.warn({ err: safeError(e) }, 'chain sync failed');
        failing = true;
      },
    );
  }, config.LEDGER_SYNC_MS);
  timer.unref();
  return {
    ledger,
    kind: 'evm',
    chain: { chainId, contract: address.toLowerCase(), confirmations: config.LEDGER_CONFIRMATIONS },
    sync,
    async close() {
      clearInterval(timer);
      await ledger.close();
    },
  };
}
