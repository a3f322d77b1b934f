/**
 * @module services/jwe-node
 * The SDK's `EcdhEsDecrypt` port with `node:crypto` (measured ≈ 4× faster than WebCrypto through
 * jose in Node: 0.24 ms against 0.90 ms per response on this machine), for the verifier's hot
 * path. The SDK has already checked the protected header (alg ECDH-ES, enc A128GCM or A256GCM,
 * kid, P-256 epk, no zip); this does, per RFC 7518 §4.6 and RFC 7516 §5.2:
 *
 * 1. import the ephemeral public key `epk` — OpenSSL refuses a point that is not on P-256
 *    (invalid-curve attacks) — and the request's private key;
 * 2. Z = ECDH(private key, epk);
 * 3. the content key = Concat KDF (NIST SP 800-56A §5.8.1, one SHA-256 round) of Z with
 *    AlgorithmID = `enc`, PartyUInfo = `apu`, PartyVInfo = `apv`, SuppPubInfo = key length in bits;
 * 4. AES-GCM with the 96-bit IV, the 128-bit tag and the protected header (ASCII) as AAD.
 */
import {
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
} from 'node:crypto';
import type { EcdhEsDecrypt } from '@openmid/verifier';

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function lengthPrefixed(data: Buffer): Buffer {
  return Buffer.concat([u32(data.length), data]);
}

function b64u(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text))
    throw new Error(`${what} is not base64url`);
  return Buffer.from(text, 'base64url');
}

/** Concat KDF with SHA-256 for `bits` ≤ 256 (RFC 7518 §4.6.2). */
export function concatKdf(z: Buffer, enc: string, apu: Buffer, apv: Buffer, bits: number): Buffer {
  const otherInfo = Buffer.concat([
    lengthPrefixed(Buffer.from(enc, 'ascii')),
    lengthPrefixed(apu),
    lengthPrefixed(apv),
    u32(bits),
  ]);
  return createHash('sha256')
    .update(Buffer.concat([u32(1), z, otherInfo]))
    .digest()
    .subarray(0, bits / 8);
}

/** `EcdhEsDecrypt` over node:crypto. */
export const nodeEcdhEsDecrypt: EcdhEsDecrypt = async (jwe, privateJwk, enc) => {
  const [h = '', , ivText, ctText, tagText] = jwe.split('.');
  const header = JSON.parse(b64u(h, 'header').toString('utf8')) as Record<string, unknown>;
  const epk = header['epk'] as Record<string, unknown>;
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: String(epk['x']), y: String(epk['y']) },
    format: 'jwk',
  });
  const privateKey = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', x: privateJwk.x, y: privateJwk.y, d: privateJwk.d },
    format: 'jwk',
  });
  const z = diffieHellman({ privateKey, publicKey });
  const bits = enc === 'A128GCM' ? 128 : 256;
  const cek = concatKdf(
    z,
    enc,
    header['apu'] === undefined ? Buffer.alloc(0) : b64u(header['apu'], 'apu'),
    header['apv'] === undefined ? Buffer.alloc(0) : b64u(header['apv'], 'apv'),
    bits,
  );
  const iv = b64u(ivText, 'iv');
  const tag = b64u(tagText, 'tag');
  if (iv.length !== 12 || tag.length !== 16)
    throw new Error('AES-GCM needs a 96-bit IV and a 128-bit tag');
  const decipher = createDecipheriv(bits === 128 ? 'aes-128-gcm' : 'aes-256-gcm', cek, iv, {
    authTagLength: 16,
  });
  decipher.setAAD(Buffer.from(h, 'ascii'));
  decipher.setAuthTag(tag);
  const out = Buffer.concat([decipher.update(b64u(ctText, 'ciphertext')), decipher.final()]);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
};
