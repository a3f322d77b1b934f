/**
 * @module keys
 * Key files of the CLI: private JWKs written by `openmid keygen`, public JWKs it prints.
 */
import { OpenMidError } from '@openmid/core/errors';
import {
  createSigner,
  importPrivateKey,
  type PublicJwk,
  parsePublicJwk,
  type Signer,
  type Verifier,
  verifierFromJwk,
} from '@openmid/core/keys';
import type { Io } from './cli.js';
import { readJson } from './files.js';

/** A signer from a private JWK file. */
export async function signerFromFile(path: string, io: Io): Promise<Signer> {
  const jwk = await readJson(path, io);
  if (typeof jwk !== 'object' || jwk === null || !('d' in jwk)) {
    throw new OpenMidError(
      'ERR_CLI_FILE_UNREADABLE',
      `${path} is not a private JWK (run openmid keygen)`,
    );
  }
  const { alg: _alg, ...key } = jwk as Record<string, unknown>;
  const kid = typeof key['kid'] === 'string' ? key['kid'] : undefined;
  return createSigner(await importPrivateKey(key), kid ? { kid } : undefined);
}

/** A public JWK from a file; a private JWK file is accepted and reduced to its public part. */
export async function publicJwkFromFile(path: string, io: Io): Promise<PublicJwk> {
  const value = await readJson(path, io);
  if (typeof value !== 'object' || value === null) {
    throw new OpenMidError('ERR_CLI_FILE_UNREADABLE', `${path} is not a JWK`);
  }
  const { d: _d, alg: _alg, ...pub } = value as Record<string, unknown>;
  return parsePublicJwk(pub).jwk;
}

/** A verifier from a public (or private) JWK file. */
export async function verifierFromFile(path: string, io: Io): Promise<Verifier> {
  return verifierFromJwk(await publicJwkFromFile(path, io));
}
