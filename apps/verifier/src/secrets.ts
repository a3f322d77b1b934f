/**
 * @module secrets
 * The verifier's long-lived registry key, generated on first start and kept in DATA_DIR sealed by
 * the KMS (server-kit's record cipher, associated data = the file's role), never in the clear
 * and never in the database. It signs verifier attestations (the proof of registration a wallet
 * receives), trust bundles and webhook notifications, each with its own explicit `typ`.
 *
 * Every instance of a horizontally scaled verifier shares this file (and the KMS), as it shares
 * the database. A file that exists but does not open is fatal: silently creating a new key would
 * change the registry's identity and invalidate every pinned bundle key.
 */
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

/** The registry key. */
export interface RegistryKeys {
  readonly signer: Signer;
  /** Public key with kid (RFC 7638 thumbprint), alg and use. */
  readonly publicJwk: PublicJwk & {
    readonly kid: string;
    readonly alg: 'ES256';
    readonly use: 'sig';
  };
}

const FILE = 'verifier-secrets.json';

interface Stored {
  readonly v: 1;
  readonly registryKey: Record<string, unknown>;
}

/** A signer (kid = thumbprint) from a private JWK. */
export async function signerFromPrivateJwk(jwk: unknown): Promise<Signer> {
  const key = await importPrivateKey(jwk, { alg: 'ES256' });
  return createSigner(key, { kid: jwkThumbprint(key.publicJwk) });
}

/** A fresh extractable ES256 key as a private JWK (for sealing). */
export async function newPrivateJwk(): Promise<Record<string, unknown>> {
  const k = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportPrivateKey(k.privateKey)) };
}

/**
 * Load the registry key from `<dataDir>/verifier-secrets.json`, creating it (mode 0600) on first
 * start; two processes starting at once agree (exclusive create, the loser reads the winner's).
 */
export async function loadOrCreateRegistryKeys(
  dataDir: string,
  cipher: RecordCipher,
): Promise<RegistryKeys> {
  try {
    const stored = await loadOrCreateSealedFile<Stored>(dataDir, FILE, cipher, async () => ({
      v: 1,
      registryKey: await newPrivateJwk(),
    }));
    const signer = await signerFromPrivateJwk(stored.registryKey);
    return {
      signer,
      publicJwk: { ...signer.publicJwk, kid: signer.kid as string, alg: 'ES256', use: 'sig' },
    };
  } catch (cause) {
    throw new OpenMidError(
      'ERR_KMS_KEY_UNAVAILABLE',
      'The verifier key file cannot be opened with the configured KMS',
      {
        cause,
      },
    );
  }
}
