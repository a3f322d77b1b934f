/**
 * @module context
 * What every service verb of the verifier receives: configuration, the store, the record
 * cipher, the registry key, the clock, the logger, the trust source and status lists, outbound
 * calls and URLs. Built once by the composition root (`createVerifier` in main.ts); verbs never
 * reach for globals.
 */
import type { Clock } from '@openmid/core/jose';
import type { Signer } from '@openmid/core/keys';
import type { StatusListCache } from '@openmid/core/status-list';
import type { Logger, RecordCipher, Sql } from '@openmid/server-kit';
import type { StatusListSource } from '@openmid/verifier';
import type { VerifierConfig } from './config.js';
import type { VerifierIacas } from './registry/iacas.js';
import type { VerifierLedger } from './registry/ledger.js';
import type { VerifierTrustSource } from './registry/trust.js';
import type { RegistryKeys } from './secrets.js';
import type { Outbound } from './services/outbound.js';
import type { Relay } from './services/relay.js';

/** The verifier's public URLs. */
export interface VerifierUrls {
  /** The base URL, also the registry identifier (`iss` of attestations and bundles). */
  readonly base: string;
  requestUri(requestId: string): string;
  responseUri(responseId: string): string;
}

/** The URLs of a verifier at `base`. */
export function verifierUrls(base: string): VerifierUrls {
  return {
    base,
    requestUri: (id) => `${base}/oid4vp/request/${id}`,
    responseUri: (id) => `${base}/oid4vp/response/${id}`,
  };
}

/** Per-process caches (safe to lose: rebuilt from the store). */
export interface VerifierCaches {
  /** Relying party of an API key id. */
  readonly rpOfKey: Map<string, string>;
  /** Request-signing keys of relying parties. */
  readonly signers: Map<string, Promise<Signer>>;
  /** Verifier attestations by relying party, with their expiry. */
  readonly attestations: Map<
    string,
    {
      readonly jwt: string;
      readonly exp: number;
      readonly kid: string;
      /** The ledger registration version attested (`ledgerId:index`), '' without the ledger. */
      readonly version?: string;
    }
  >;
  /** The last exported trust bundle and until when it is served again. */
  readonly bundle: { value: string | undefined; until: number };
}

/** The verifier's context. */
export interface VerifierContext {
  readonly config: VerifierConfig;
  readonly sql: Sql;
  readonly cipher: RecordCipher;
  readonly logger: Logger;
  /** NumericDate seconds. */
  readonly clock: Clock;
  readonly registry: RegistryKeys;
  /** The SQL registry, or the trust ledger (VERIFIER_LEDGER_URL) behind the same port. */
  readonly trust: VerifierTrustSource;
  /** The trust ledger, when configured (VERIFIER_LEDGER_URL). */
  readonly ledger?: VerifierLedger;
  /** Status lists, fetched and cached for their ttl (`cache.clear()` forgets them). */
  readonly statusLists: StatusListSource & { readonly cache: StatusListCache };
  readonly outbound: Outbound;
  readonly urls: VerifierUrls;
  readonly caches: VerifierCaches;
  /** IACA roots of mdoc issuers (each bound to its issuer). */
  readonly iacas: VerifierIacas;
  /** The in-person relay's mailboxes. */
  readonly relay: Relay;
}

/** The context's clock as a Date. */
export function nowDate(ctx: Pick<VerifierContext, 'clock'>): Date {
  return new Date(ctx.clock() * 1000);
}
