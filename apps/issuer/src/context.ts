/**
 * @module context
 * What every service verb of the issuer receives: configuration, the store, the record cipher,
 * the keys, the clock, the logger and the ports (trust registration, outbound fetch). Built once
 * by the composition root (`createIssuer` in main.ts); verbs never reach for globals.
 */
import type { Clock } from '@openmid/core/jose';
import type { Logger, RecordCipher, Sql } from '@openmid/server-kit';
import type { IssuerConfig } from './config.js';
import type { MdocPki } from './mdoc-pki.js';
import type { IssuerSecrets } from './secrets.js';
import type { StatusAllocator } from './services/allocator.js';
import type { StatusPublisher } from './services/publisher.js';
import type { TrustRegistration } from './trust.js';

/** A fetch function (the global one, or `app.request` in tests). */
export type FetchLike = (input: string | Request, init?: RequestInit) => Promise<Response>;

/** The issuer's public endpoints, derived from ISSUER_URL. */
export interface IssuerUrls {
  /** The Credential Issuer Identifier and authorization server issuer (OpenID4VCI 1.0 §12.2.1). */
  readonly issuer: string;
  readonly token: string;
  readonly par: string;
  readonly authorize: string;
  readonly authorizeCallback: string;
  readonly credential: string;
  readonly nonce: string;
  readonly notification: string;
  readonly jwks: string;
  /** The IACA certificate (PEM) of the issuer's mdocs. */
  readonly iaca: string;
  statusList(listId: number): string;
  typeMetadata(type: string): string;
  credentialOffer(offerId: string): string;
}

/** Everything a verb needs. */
export interface IssuerContext {
  readonly config: IssuerConfig;
  readonly sql: Sql;
  readonly cipher: RecordCipher;
  readonly secrets: IssuerSecrets;
  /** The IACA and document signer of the driving licence in mdoc form. */
  readonly mdoc: MdocPki;
  readonly logger: Logger;
  /** NumericDate seconds. */
  readonly clock: Clock;
  readonly trust: TrustRegistration;
  readonly allocator: StatusAllocator;
  readonly publisher: StatusPublisher;
  readonly urls: IssuerUrls;
  /** Outbound HTTP (the identity provider). */
  readonly fetch: FetchLike;
}

/** The URLs of an issuer reachable at `base` (no trailing slash). */
export function issuerUrls(base: string): IssuerUrls {
  return {
    issuer: base,
    token: `${base}/token`,
    par: `${base}/par`,
    authorize: `${base}/authorize`,
    authorizeCallback: `${base}/authorize/callback`,
    credential: `${base}/credential`,
    nonce: `${base}/nonce`,
    notification: `${base}/notification`,
    jwks: `${base}/.well-known/jwks.json`,
    iaca: `${base}/iaca`,
    statusList: (listId) => `${base}/status-lists/${listId}`,
    typeMetadata: (type) => `${base}/type-metadata/${type}`,
    credentialOffer: (offerId) => `${base}/credential-offer/${offerId}`,
  };
}

/** The clock as a Date (whole seconds, as every timestamp the issuer stores). */
export function nowDate(ctx: Pick<IssuerContext, 'clock'>): Date {
  return new Date(ctx.clock() * 1000);
}

/** `seconds` after the clock's now, as a Date. */
export function inSeconds(ctx: Pick<IssuerContext, 'clock'>, seconds: number): Date {
  return new Date((ctx.clock() + seconds) * 1000);
}
