/**
 * @module secrets
 * The issuer's long-lived keys, generated on first start and kept in DATA_DIR sealed by the KMS
 * (server-kit's record cipher: AES-256-GCM under a KMS data key, associated data = the file's
 * role), never in the clear and never in the database:
 *
 * - the ES256 credential-signing key (kid = its RFC 7638 thumbprint), served as JWKS and in the
 *   issuer metadata; the verifier trusts it through the trust ledger, not by fetching it;
 * - the ES256 key of the built-in demo identity provider;
 * - HMAC keys: pre-authorized codes and tx_codes are DERIVED from the offer id under a key (so a
 *   database dump holds no usable code, a by-reference offer can be served, and a batch's letters
 *   can be re-exported after a crash), c_nonces and DPoP nonces are MAC'd timestamps (no row per
 *   nonce), and the register's blind index of resident numbers.
 *
 * Every instance of a horizontally scaled issuer must share this file (and the KMS), exactly as
 * it shares the database. A file that exists but does not open is fatal
 * (ERR_ISSUER_SIGNING_KEY_INVALID): silently creating a new key would change the issuer's identity.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { OpenMidError } from '@openmid/core/errors';
import {
  createSigner,
  exportPrivateKey,
  generateKeyPair,
  importPrivateKey,
  jwkThumbprint,
  type PublicJwk,
  type Signer,
} from '@openmid/core/keys';
import { loadOrCreateSealedFile, type RecordCipher } from '@openmid/server-kit';

/** The HMAC keys, 32 bytes each. */
export interface MacKeys {
  /** Pre-authorized and authorization codes. */
  readonly code: Uint8Array;
  /** tx_codes. */
  readonly txCode: Uint8Array;
  /** c_nonce and DPoP-Nonce values. */
  readonly nonce: Uint8Array;
  /** Blind index of resident numbers and IdP subjects. */
  readonly blind: Uint8Array;
  /** Citizen web sessions and IdP login tickets. */
  readonly session: Uint8Array;
}

/** The issuer's keys, loaded or created at start-up. */
export interface IssuerSecrets {
  /** Signs credentials and status list tokens. */
  readonly signer: Signer;
  /** The public key of {@link IssuerSecrets.signer}, with kid and alg. */
  readonly publicJwk: PublicJwk & { readonly kid: string; readonly alg: 'ES256'; use: 'sig' };
  /** Signs the demo IdP's ID tokens. */
  readonly idpSigner: Signer;
  readonly idpPublicJwk: PublicJwk & { readonly kid: string };
  /** The demo IdP client secret (used when ISSUER_IDP_CLIENT_SECRET is unset). */
  readonly idpClientSecret: string;
  readonly mac: MacKeys;
}

interface StoredSecrets {
  readonly v: 1;
  readonly signingKey: Record<string, unknown>;
  readonly idpKey: Record<string, unknown>;
  readonly idpClientSecret: string;
  readonly mac: Record<keyof MacKeys, string>;
}

const FILE = 'issuer-secrets.json';

async function generate(): Promise<StoredSecrets> {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const idp = await generateKeyPair('ES256', { extractable: true });
  const mac = (): string => randomBytes(32).toString('base64url');
  return {
    v: 1,
    signingKey: { ...(await exportPrivateKey(signing.privateKey)) },
    idpKey: { ...(await exportPrivateKey(idp.privateKey)) },
    idpClientSecret: randomBytes(32).toString('base64url'),
    mac: { code: mac(), txCode: mac(), nonce: mac(), blind: mac(), session: mac() },
  };
}

async function signerOf(jwk: unknown): Promise<{ signer: Signer; publicJwk: PublicJwk }> {
  const key = await importPrivateKey(jwk, { alg: 'ES256' });
  const kid = jwkThumbprint(key.publicJwk);
  const signer = createSigner(key, { kid });
  return { signer, publicJwk: signer.publicJwk };
}

/**
 * Load the issuer's keys from `<dataDir>/issuer-secrets.json`, creating the file (mode 0600) on
 * first start. Two processes starting at once agree: the file is created exclusively and the
 * loser reads the winner's.
 */
export async function loadOrCreateSecrets(
  dataDir: string,
  cipher: RecordCipher,
): Promise<IssuerSecrets> {
  let stored: StoredSecrets;
  try {
    stored = await loadOrCreateSealedFile(dataDir, FILE, cipher, generate);
  } catch (cause) {
    throw new OpenMidError(
      'ERR_ISSUER_SIGNING_KEY_INVALID',
      'The issuer key file cannot be opened with the configured KMS',
      { cause },
    );
  }
  try {
    const signing = await signerOf(stored.signingKey);
    const idp = await signerOf(stored.idpKey);
    const mac = Object.fromEntries(
      Object.entries(stored.mac).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64url'))]),
    ) as unknown as MacKeys;
    for (const k of ['code', 'txCode', 'nonce', 'blind', 'session'] as const) {
      if (mac[k]?.length !== 32) throw new Error('mac key');
    }
    return {
      signer: signing.signer,
      publicJwk: {
        ...signing.publicJwk,
        kid: signing.signer.kid as string,
        alg: 'ES256',
        use: 'sig',
      },
      idpSigner: idp.signer,
      idpPublicJwk: { ...idp.publicJwk, kid: idp.signer.kid as string },
      idpClientSecret: stored.idpClientSecret,
      mac,
    };
  } catch (cause) {
    if (cause instanceof OpenMidError && cause.code === 'ERR_ISSUER_SIGNING_KEY_INVALID') {
      throw cause;
    }
    throw new OpenMidError(
      'ERR_ISSUER_SIGNING_KEY_INVALID',
      'The issuer key file does not hold valid keys',
      { cause },
    );
  }
}

/** HMAC-SHA-256 of `parts` (joined with NUL) under `key`. */
export function hmac(key: Uint8Array, ...parts: readonly string[]): Buffer {
  return createHmac('sha256', key).update(parts.join('\u0000'), 'utf8').digest();
}

/** SHA-256 of a string, base64url: how one-time values are stored (never the value itself). */
export function sha256b64u(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Constant-time comparison of two strings. */
export function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `n` random bytes as base64url (identifiers, tokens). */
export function randomId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}
