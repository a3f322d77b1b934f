/**
 * The node:crypto ECDH-ES decrypter (RFC 7518 §4.6) agrees with jose on every JWE the SDK accepts,
 * and refuses what it must: another key, a tampered tag, an epk off the curve.
 */
import {
  decryptResponse,
  encryptResponse,
  generateResponseKey,
  type ResponseKeyPair,
} from '@openmid/verifier';
import { base64url, CompactEncrypt, importJWK } from 'jose';
import { beforeAll, describe, expect, test } from 'vitest';
import { nodeEcdhEsDecrypt } from './jwe-node.js';

let key: ResponseKeyPair;
const payload = { vp_token: { id: ['eyJ.a~b~'] }, state: 's' };
const opts = { decrypt: nodeEcdhEsDecrypt };

beforeAll(async () => {
  key = await generateResponseKey('k1');
});

describe('nodeEcdhEsDecrypt', () => {
  test('opens what jose encrypts, with A128GCM and A256GCM', async () => {
    for (const enc of ['A128GCM', 'A256GCM'] as const)
      expect(
        await decryptResponse(
          await encryptResponse(payload, key.publicJwk, enc),
          key.privateJwk,
          opts,
        ),
      ).toEqual(payload);
  });

  test('honours apu and apv in the Concat KDF (RFC 7518 §4.6.2)', async () => {
    const pub = await importJWK({ ...key.publicJwk }, 'ECDH-ES');
    const jwe = await new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', kid: 'k1' })
      .setKeyManagementParameters({
        apu: new TextEncoder().encode('Alice'),
        apv: new TextEncoder().encode('Bob'),
      })
      .encrypt(pub);
    expect(await decryptResponse(jwe, key.privateJwk, opts)).toEqual(payload);
  });

  test('refuses another key, a tampered tag and an ephemeral key off the curve', async () => {
    const other = await generateResponseKey('k1');
    const jwe = await encryptResponse(payload, other.publicJwk);
    await expect(decryptResponse(jwe, key.privateJwk, opts)).rejects.toMatchObject({
      code: 'ERR_VP_JWE_INVALID',
    });
    const good = await encryptResponse(payload, key.publicJwk);
    const parts = good.split('.');
    const tag = parts[4] as string;
    parts[4] = (tag.startsWith('A') ? 'B' : 'A') + tag.slice(1);
    await expect(decryptResponse(parts.join('.'), key.privateJwk, opts)).rejects.toMatchObject({
      code: 'ERR_VP_JWE_INVALID',
    });
    const header = JSON.parse(
      new TextDecoder().decode(base64url.decode(good.split('.')[0] as string)),
    );
    header.epk.y = header.epk.x; // almost certainly not on P-256
    const forged = [base64url.encode(JSON.stringify(header)), ...good.split('.').slice(1)].join(
      '.',
    );
    await expect(decryptResponse(forged, key.privateJwk, opts)).rejects.toMatchObject({
      code: 'ERR_VP_JWE_INVALID',
    });
  });
});
