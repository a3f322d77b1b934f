/**
 * @module mdoc/cose/key
 * COSE_Key (RFC 9052 §7, RFC 9053 §7.1–7.2) ↔ JWK for the public keys 18013-5 carries: the
 * device key in the MSO (`deviceKeyInfo.deviceKey`) and the ephemeral session keys (EDeviceKey,
 * EReaderKey). Supported: EC2 P-256 (ES256, ECDH-ES) and OKP Ed25519 (EdDSA). Untrusted input is
 * validated like a JWK: right types and lengths, no private member, alg (when present) fitting
 * the key. Point validity is checked when the key is imported through the crypto port.
 */
import type { PublicJwk } from '../../crypto/provider.js';
import { OpenMidError } from '../../errors/error.js';
import { b64uDecode, b64uEncode } from '../../internal/bytes.js';
import type { CborKey, CborValue } from '../cbor/types.js';

/** COSE_Key labels (RFC 9052 §7.1, RFC 9053 §7.1). */
export const COSE_KEY = {
  kty: 1,
  kid: 2,
  alg: 3,
  crv: -1,
  x: -2,
  y: -3,
  d: -4,
} as const;

/** COSE key types and curves (RFC 9053 §7, IANA "COSE Key Types" / "COSE Elliptic Curves"). */
export const COSE_KTY = { OKP: 1, EC2: 2 } as const;
export const COSE_CRV = { P256: 1, Ed25519: 6 } as const;

/** COSE algorithm identifiers used by OpenMID (IANA "COSE Algorithms"). */
export const COSE_ALG = {
  ES256: -7,
  EdDSA: -8,
  HMAC256: 5,
} as const;

function invalid(message: string): OpenMidError {
  return new OpenMidError('ERR_COSE_KEY_INVALID', message);
}

function coordinate(map: ReadonlyMap<CborKey, CborValue>, label: number, name: string): string {
  const v = map.get(label);
  if (!(v instanceof Uint8Array) || v.length !== 32)
    throw invalid(`COSE_Key ${name} must be a 32-byte byte string`);
  return b64uEncode(v);
}

/**
 * Read an untrusted COSE_Key as a public JWK (`kty` EC/P-256 or OKP/Ed25519).
 *
 * @throws OpenMidError `ERR_COSE_KEY_INVALID` (not a map, unsupported type or curve, compressed
 *   point, wrong coordinate length, private member `d`, alg not fitting the key).
 * @see RFC 9053 §7.1.1 (EC2), §7.2 (OKP); ISO/IEC 18013-5 §9.1.2.4 (DeviceKey)
 */
export function coseKeyToJwk(value: CborValue): PublicJwk {
  if (!(value instanceof Map)) throw invalid('A COSE_Key must be a map');
  const map = value as ReadonlyMap<CborKey, CborValue>;
  if (map.has(COSE_KEY.d)) throw invalid('A public COSE_Key must not carry d');
  const kty = map.get(COSE_KEY.kty);
  const crv = map.get(COSE_KEY.crv);
  const alg = map.get(COSE_KEY.alg);
  if (kty === COSE_KTY.EC2 && crv === COSE_CRV.P256) {
    if (alg !== undefined && alg !== COSE_ALG.ES256)
      throw invalid('The COSE_Key alg does not fit a P-256 key');
    return {
      kty: 'EC',
      crv: 'P-256',
      x: coordinate(map, COSE_KEY.x, 'x'),
      y: coordinate(map, COSE_KEY.y, 'y'),
    };
  }
  if (kty === COSE_KTY.OKP && crv === COSE_CRV.Ed25519) {
    if (alg !== undefined && alg !== COSE_ALG.EdDSA)
      throw invalid('The COSE_Key alg does not fit an Ed25519 key');
    if (map.has(COSE_KEY.y)) throw invalid('An OKP COSE_Key has no y');
    return { kty: 'OKP', crv: 'Ed25519', x: coordinate(map, COSE_KEY.x, 'x') };
  }
  throw invalid('Only EC2 P-256 and OKP Ed25519 COSE keys are supported');
}

/**
 * A public JWK as a COSE_Key map (deterministic when encoded): `{1: 2, -1: 1, -2: x, -3: y}` for
 * P-256, `{1: 1, -1: 6, -2: x}` for Ed25519. Private members are never copied.
 *
 * @example encodeCbor(jwkToCoseKey(holder.publicJwk)) // a4 01 02 20 01 21 58 20 … 22 58 20 …
 */
export function jwkToCoseKey(jwk: PublicJwk): Map<CborKey, CborValue> {
  const x = b64uDecode(jwk.x);
  if (x === undefined || x.length !== 32) throw invalid('JWK x must be 32 bytes of base64url');
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') {
    const y = jwk.y === undefined ? undefined : b64uDecode(jwk.y);
    if (y === undefined || y.length !== 32) throw invalid('JWK y must be 32 bytes of base64url');
    return new Map<CborKey, CborValue>([
      [COSE_KEY.kty, COSE_KTY.EC2],
      [COSE_KEY.crv, COSE_CRV.P256],
      [COSE_KEY.x, x],
      [COSE_KEY.y, y],
    ]);
  }
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
    return new Map<CborKey, CborValue>([
      [COSE_KEY.kty, COSE_KTY.OKP],
      [COSE_KEY.crv, COSE_CRV.Ed25519],
      [COSE_KEY.x, x],
    ]);
  }
  throw invalid('Only P-256 and Ed25519 keys can be written as COSE keys');
}
