/**
 * @module keys/jwk
 * Validation of untrusted JWKs (RFC 7517) for the two signature algorithms OpenMID supports:
 * ES256 (kty EC, crv P-256; RFC 7518 §6.2) and EdDSA (kty OKP, crv Ed25519; RFC 8037 §2).
 * "Key type must fit alg" (SECURITY.md): an EC key never verifies EdDSA, and vice versa.
 */
import type { PrivateJwk, PublicJwk, SigAlg } from '../crypto/provider.js';
import { OpenMidError } from '../errors/error.js';
import { b64uDecode } from '../internal/bytes.js';
import { isJsonObject } from '../internal/json.js';

/** The algorithm a key of this type and curve is used with. */
export function algForJwk(jwk: { readonly kty?: unknown; readonly crv?: unknown }): SigAlg {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  throw new OpenMidError(
    'ERR_KEY_UNSUPPORTED',
    'Only P-256 (ES256) and Ed25519 (EdDSA) keys are supported',
  );
}

function coordinate(value: unknown, name: string): string {
  if (typeof value !== 'string')
    throw new OpenMidError('ERR_KEY_INVALID', `JWK member ${name} must be a string`);
  const bytes = b64uDecode(value);
  if (bytes === undefined || bytes.length !== 32) {
    throw new OpenMidError('ERR_KEY_INVALID', `JWK member ${name} must be 32 bytes of base64url`);
  }
  return value;
}

function checkUsage(jwk: Record<string, unknown>, alg: SigAlg, op: 'verify' | 'sign'): void {
  if (jwk['alg'] !== undefined && jwk['alg'] !== alg) {
    throw new OpenMidError(
      'ERR_KEY_ALG_MISMATCH',
      'The JWK alg does not match the algorithm in use',
    );
  }
  if (jwk['use'] !== undefined && jwk['use'] !== 'sig') {
    throw new OpenMidError('ERR_KEY_ALG_MISMATCH', 'The JWK is not a signature key (use ≠ sig)');
  }
  const ops = jwk['key_ops'];
  if (ops !== undefined && (!Array.isArray(ops) || !ops.includes(op))) {
    throw new OpenMidError('ERR_KEY_ALG_MISMATCH', `The JWK key_ops do not allow ${op}`);
  }
}

/**
 * Validate an untrusted public JWK. Rejects private members (`d`), unsupported key types,
 * malformed coordinates and a type that does not fit `expectedAlg`.
 */
export function parsePublicJwk(
  value: unknown,
  expectedAlg?: SigAlg,
): { jwk: PublicJwk; alg: SigAlg } {
  if (!isJsonObject(value))
    throw new OpenMidError('ERR_KEY_INVALID', 'A JWK must be a JSON object');
  if (value['kty'] === 'oct')
    throw new OpenMidError('ERR_KEY_ALG_MISMATCH', 'Symmetric keys are never accepted');
  if ('d' in value || 'p' in value || 'k' in value) {
    throw new OpenMidError('ERR_KEY_INVALID', 'A public JWK must not contain private key members');
  }
  const alg = algForJwk(value);
  if (expectedAlg !== undefined && alg !== expectedAlg) {
    throw new OpenMidError('ERR_KEY_ALG_MISMATCH', `The key type does not fit ${expectedAlg}`);
  }
  checkUsage(value, alg, 'verify');
  const kid = typeof value['kid'] === 'string' ? value['kid'] : undefined;
  const jwk: PublicJwk =
    alg === 'ES256'
      ? {
          kty: 'EC',
          crv: 'P-256',
          x: coordinate(value['x'], 'x'),
          y: coordinate(value['y'], 'y'),
          ...(kid ? { kid } : {}),
        }
      : { kty: 'OKP', crv: 'Ed25519', x: coordinate(value['x'], 'x'), ...(kid ? { kid } : {}) };
  return { jwk, alg };
}

/** Validate an untrusted private JWK (ES256 or EdDSA). */
export function parsePrivateJwk(
  value: unknown,
  expectedAlg?: SigAlg,
): { jwk: PrivateJwk; alg: SigAlg } {
  if (!isJsonObject(value))
    throw new OpenMidError('ERR_KEY_INVALID', 'A JWK must be a JSON object');
  const alg = algForJwk(value);
  if (expectedAlg !== undefined && alg !== expectedAlg) {
    throw new OpenMidError('ERR_KEY_ALG_MISMATCH', `The key type does not fit ${expectedAlg}`);
  }
  checkUsage(value, alg, 'sign');
  const d = coordinate(value['d'], 'd');
  const kid = typeof value['kid'] === 'string' ? value['kid'] : undefined;
  const jwk: PrivateJwk =
    alg === 'ES256'
      ? {
          kty: 'EC',
          crv: 'P-256',
          x: coordinate(value['x'], 'x'),
          y: coordinate(value['y'], 'y'),
          d,
          ...(kid ? { kid } : {}),
        }
      : { kty: 'OKP', crv: 'Ed25519', x: coordinate(value['x'], 'x'), d, ...(kid ? { kid } : {}) };
  return { jwk, alg };
}

/** The public part of a JWK (drops `d` and any other member). */
export function publicPart(jwk: PublicJwk): PublicJwk {
  return jwk.kty === 'EC'
    ? {
        kty: 'EC',
        crv: jwk.crv,
        x: jwk.x,
        y: jwk.y as string,
        ...(jwk.kid ? { kid: jwk.kid } : {}),
      }
    : { kty: 'OKP', crv: jwk.crv, x: jwk.x, ...(jwk.kid ? { kid: jwk.kid } : {}) };
}
