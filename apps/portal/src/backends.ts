/**
 * @module backends
 * The portal's server-side calls to the issuer's admin API and to the verifier's relying-party and
 * registry admin APIs (docs/issuer.md, docs/verifier.md), with the development keys read from the
 * services' data folders. Keys stay in this process: they are sent only to the service they belong
 * to, in an `Authorization` header, and never rendered or logged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PortalConfig } from './config.js';

/** A failed call: the service's stable code (or a transport code), never its free text. */
export class BackendError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number) {
    super(code);
    this.name = 'BackendError';
    this.code = code;
    this.status = status;
  }
}

/** The fetch the portal uses (tests pass in-process apps). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** An issued credential as the issuer lists it (no personal data). */
export interface CredentialRow {
  readonly credential_id: string;
  readonly type: string;
  readonly status: string;
  readonly device_id: string;
  readonly issued_at: string;
  readonly expires_at: string;
  readonly accepted: boolean;
}

/** A created offer. */
export interface Offer {
  readonly credential_offer_uri: string;
  readonly tx_code: string;
  readonly offer_id: string;
}

/** A created presentation request. */
export interface PresentationRequest {
  readonly transaction_id: string;
  readonly request_link: string;
  readonly same_device_url: string;
  readonly expires_at: string;
}

/** A relying-party registration as the registry lists it. */
export interface Registration {
  readonly id: string;
  readonly names: { readonly ko: string; readonly en: string };
  readonly purpose: { readonly ko: string; readonly en: string };
  readonly requests: readonly { readonly vct: string; readonly claims: readonly unknown[][] }[];
  readonly rrnLegalBasis: string | null;
  readonly validFrom?: number;
  readonly validUntil?: number;
  readonly webhook_url?: string | null;
}

/** The portal's view of the services. */
export interface Backends {
  createOffer(input: {
    readonly citizenId: string;
    readonly type: string;
    readonly copies: number;
    /** Credential configurations of `type` to offer together (default: its SD-JWT VC only). */
    readonly configurations?: readonly string[];
  }): Promise<Offer>;
  credentials(citizenId: string): Promise<CredentialRow[]>;
  citizenName(citizenId: string): Promise<string | undefined>;
  changeStatus(credentialId: string, action: 'revoke' | 'suspend' | 'reinstate'): Promise<void>;
  suspendDevice(citizenId: string, device: string): Promise<number>;
  lostPhone(citizenId: string, device: string): Promise<{ suspended: number; offers: Offer[] }>;
  relyingParties(): Promise<Registration[]>;
  createRequest(rpId: string, body: Record<string, unknown>): Promise<PresentationRequest>;
  /**
   * DEMO of a party asking beyond its registration: widen its entry in the verifier's interim
   * registry just long enough for the verifier to sign the request, then restore it. The wallet
   * checks the request against the registration in ITS trust list and warns.
   */
  createOverAsk(
    rpId: string,
    extra: readonly (readonly string[])[],
    body: Record<string, unknown>,
  ): Promise<PresentationRequest>;
  result(rpId: string, transactionId: string): Promise<Record<string, unknown>>;
}

function keyReader(path: string): () => string {
  let cached: string | undefined;
  return () => {
    if (cached !== undefined) return cached;
    let text: string;
    try {
      text = readFileSync(path, 'utf8').trim();
    } catch {
      throw new BackendError('ERR_PORTAL_KEY_MISSING', 503);
    }
    cached = text;
    return text;
  };
}

/**
 * The backends over HTTP.
 *
 * @example
 * ```ts
 * const backends = httpBackends(config)
 * const offer = await backends.createOffer({ citizenId: 'demo-0000000', type: 'driving-licence', copies: 3 })
 * ```
 */
export function httpBackends(config: PortalConfig, fetcher: FetchLike = fetch): Backends {
  const issuerKey = keyReader(
    config.PORTAL_ISSUER_ADMIN_KEY_FILE ?? join(config.ISSUER_DATA_DIR, 'admin-api-key'),
  );
  const verifierKey = keyReader(
    config.PORTAL_VERIFIER_ADMIN_KEY_FILE ?? join(config.VERIFIER_DATA_DIR, 'admin-api-key'),
  );
  const rpKeysDir = config.PORTAL_RP_KEYS_DIR ?? join(config.VERIFIER_DATA_DIR, 'rp-keys');
  const rpKeys = new Map<string, () => string>();
  const rpKey = (id: string): string => {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(id)) throw new BackendError('ERR_RP_UNKNOWN', 404);
    let reader = rpKeys.get(id);
    if (reader === undefined) {
      reader = keyReader(join(rpKeysDir, `${id}.key`));
      rpKeys.set(id, reader);
    }
    return reader();
  };
  const names = new Map<string, string | undefined>();
  let overAskChain: Promise<unknown> = Promise.resolve();

  async function call(
    base: string,
    path: string,
    key: string,
    init: { method?: string; json?: unknown } = {},
  ): Promise<unknown> {
    let res: Response;
    try {
      res = await fetcher(`${base}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          authorization: `Bearer ${key}`,
          accept: 'application/json',
          ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
        redirect: 'error',
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      throw new BackendError('ERR_PORTAL_SERVICE_UNAVAILABLE', 503);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      body = {};
    }
    if (!res.ok) {
      const code = (body as { code?: unknown }).code;
      throw new BackendError(
        typeof code === 'string' && /^ERR_[A-Z0-9_]+$/.test(code) ? code : `HTTP_${res.status}`,
        res.status,
      );
    }
    return body;
  }
  const issuer = (path: string, init?: { method?: string; json?: unknown }) =>
    call(config.ISSUER_URL, path, issuerKey(), init);
  const registry = (path: string, init?: { method?: string; json?: unknown }) =>
    call(config.VERIFIER_URL, path, verifierKey(), init);

  const backends: Backends = {
    async createOffer(input) {
      return (await issuer('/admin/offers', {
        method: 'POST',
        json: {
          type: input.type,
          citizen_id: input.citizenId,
          copies: input.copies,
          ...(input.configurations === undefined
            ? {}
            : { configurations: [...input.configurations] }),
          by_reference: true,
        },
      })) as Offer;
    },
    async credentials(citizenId) {
      const r = (await issuer(
        `/admin/credentials?citizen_id=${encodeURIComponent(citizenId)}&limit=100`,
      )) as { credentials: CredentialRow[] };
      return r.credentials;
    },
    async citizenName(citizenId) {
      if (names.has(citizenId)) return names.get(citizenId);
      try {
        const r = (await issuer(`/admin/citizens/${encodeURIComponent(citizenId)}?pii=true`)) as {
          identity?: { name?: unknown };
        };
        const name = typeof r.identity?.name === 'string' ? r.identity.name : undefined;
        names.set(citizenId, name);
        return name;
      } catch {
        return undefined;
      }
    },
    async changeStatus(credentialId, action) {
      await issuer(`/admin/credentials/${encodeURIComponent(credentialId)}/${action}`, {
        method: 'POST',
      });
    },
    async suspendDevice(citizenId, device) {
      const r = (await issuer('/admin/devices/suspend', {
        method: 'POST',
        json: { citizen_id: citizenId, device_key_thumbprint: device },
      })) as { count?: number };
      return r.count ?? 0;
    },
    async lostPhone(citizenId, device) {
      const r = (await issuer('/admin/lost-phone', {
        method: 'POST',
        json: { citizen_id: citizenId, device_key_thumbprint: device },
      })) as { suspended: number; offers: Offer[] };
      return { suspended: r.suspended, offers: [...r.offers] };
    },
    async relyingParties() {
      return (await registry('/admin/relying-parties')) as Registration[];
    },
    async createRequest(rpId, body) {
      return (await call(config.VERIFIER_URL, '/v1/presentations', rpKey(rpId), {
        method: 'POST',
        json: body,
      })) as PresentationRequest;
    },
    async createOverAsk(rpId, extra, body) {
      // One at a time: two interleaved widen/restore pairs could leave the entry widened.
      const run = overAskChain.then(async () => {
        const rp = (await backends.relyingParties()).find((r) => r.id === rpId);
        if (rp === undefined) throw new BackendError('ERR_RP_UNKNOWN', 404);
        const put = (requests: Registration['requests']) =>
          registry(`/admin/relying-parties/${encodeURIComponent(rpId)}`, {
            method: 'PUT',
            json: {
              names: rp.names,
              purpose: rp.purpose,
              requests,
              rrn_legal_basis: rp.rrnLegalBasis,
              ...(rp.validUntil === undefined ? {} : { valid_until: rp.validUntil }),
              ...(rp.webhook_url === undefined ? {} : { webhook_url: rp.webhook_url }),
            },
          });
        await put(
          rp.requests.map((r) => ({ ...r, claims: [...r.claims, ...extra.map((p) => [...p])] })),
        );
        try {
          return await backends.createRequest(rpId, body);
        } finally {
          await put(rp.requests);
        }
      });
      overAskChain = run.catch(() => undefined);
      return run;
    },
    async result(rpId, transactionId) {
      return (await call(
        config.VERIFIER_URL,
        `/v1/presentations/${encodeURIComponent(transactionId)}`,
        rpKey(rpId),
      )) as Record<string, unknown>;
    },
  };
  return backends;
}
