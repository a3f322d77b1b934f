/**
 * @module keys
 * Key files of the node: private ES256 JWKs (with `kid` = RFC 7638 thumbprint) kept with mode
 * 0600 in folders of mode 0700, created on first use, refused when group or others can read them
 * (as server-kit's local KMS refuses its key files). The log key signs tree heads and subject
 * indexes; the development governance keys are in `governance.ts`.
 */
import {
  chmodSync,
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { OpenMidError } from '@openmid/core/errors';
import {
  createSigner,
  exportPrivateKey,
  generateKeyPair,
  importPrivateKey,
  jwkThumbprint,
  type PublicJwk,
  parsePublicJwk,
  type Signer,
} from '@openmid/core/keys';

/** An ES256 key loaded from (or created in) a file. */
export interface KeyFile {
  readonly path: string;
  readonly signer: Signer;
  /** The public JWK (kty, crv, x, y) with `kid` = its RFC 7638 thumbprint. */
  readonly publicJwk: PublicJwk & { readonly kid: string };
  /** True when this call created the file. */
  readonly created: boolean;
}

function unreadable(path: string, cause?: unknown): OpenMidError {
  return new OpenMidError('ERR_CONFIG_INVALID', `Key file ${path} cannot be used`, {
    ...(cause === undefined ? {} : { cause }),
    details: { path },
  });
}

/** Create a folder (and parents) with mode 0700 when missing. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Write a secret file with mode 0600; never over an existing file. */
export function writeSecretFile(path: string, content: string): void {
  ensurePrivateDir(dirname(path));
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600);
}

async function fromJwk(path: string, value: unknown, created: boolean): Promise<KeyFile> {
  if (typeof value !== 'object' || value === null || !('d' in value)) throw unreadable(path);
  const {
    kid: _kid,
    alg: _alg,
    use: _use,
    key_ops: _ops,
    ...jwk
  } = value as Record<string, unknown>;
  if (jwk['kty'] !== 'EC' || jwk['crv'] !== 'P-256') throw unreadable(path);
  try {
    const privateKey = await importPrivateKey(jwk, { alg: 'ES256' });
    const { d: _d, ...pub } = jwk;
    const publicJwk = parsePublicJwk(pub, 'ES256').jwk;
    const minimal = { kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y };
    const kid = jwkThumbprint(minimal as PublicJwk);
    return {
      path,
      signer: createSigner(privateKey, { kid }),
      publicJwk: { ...(minimal as PublicJwk), kid },
      created,
    };
  } catch (e) {
    throw unreadable(path, e);
  }
}

/**
 * Load the ES256 private JWK at `path`, or create one there (0600) when the file does not exist.
 * A file group or others can access is refused (ERR_CONFIG_INVALID).
 */
export async function loadOrCreateKeyFile(path: string): Promise<KeyFile> {
  let text: string | undefined;
  try {
    const mode = statSync(path).mode;
    if ((mode & 0o077) !== 0) {
      throw new OpenMidError(
        'ERR_CONFIG_INVALID',
        `Key file ${path} is accessible to group or others (chmod 600 it)`,
        { details: { path } },
      );
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof OpenMidError) throw e;
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(path, e);
  }
  if (text !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw unreadable(path, e);
    }
    return fromJwk(path, value, false);
  }
  const pair = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportPrivateKey(pair.privateKey)) };
  const kid = jwkThumbprint(pair.publicJwk);
  writeSecretFile(path, `${JSON.stringify({ ...jwk, kid, alg: 'ES256' }, null, 2)}\n`);
  return fromJwk(path, jwk, true);
}
