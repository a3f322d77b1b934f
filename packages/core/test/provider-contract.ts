/**
 * The contract every CryptoProvider must satisfy, run against WebCrypto (Node and Chromium) and
 * node:crypto (Node). Same keys, same vectors, same expectations.
 */
import { describe, expect, test } from 'vitest';
import type { CryptoProvider } from '../src/crypto/provider.js';
import { isOpenMidError } from '../src/errors/error.js';
import { b64uDecode, b64uEncode, toHex, utf8 } from '../src/internal/bytes.js';
import {
  createSigner,
  createVerifier,
  exportPrivateKey,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  jwkThumbprint,
} from '../src/keys/index.js';
import wycheproof from './vectors/wycheproof-jose/ecdsa_secp256r1_sha256_p1363_test.json' with {
  type: 'json',
};

export function providerContract(crypto: CryptoProvider): void {
  describe(`crypto provider ${crypto.name}`, () => {
    test.each(['ES256', 'EdDSA'] as const)(
      '%s: generated keys sign and verify; tampering fails',
      async (alg) => {
        const { signer, publicJwk } = await generateKeyPair(alg, { crypto });
        const verifier = createVerifier(await importPublicKey(publicJwk, { crypto }), { crypto });
        const data = utf8('전자정부 OpenMID');
        const sig = await signer.sign(data);
        expect(sig.length).toBe(64);
        expect(await verifier.verify(data, sig)).toBe(true);
        const bad = sig.slice();
        bad[10] = (bad[10] as number) ^ 1;
        expect(await verifier.verify(data, bad)).toBe(false);
        expect(await verifier.verify(utf8('other'), sig)).toBe(false);
      },
    );

    test('private keys are non-extractable by default; extractable ones round-trip', async () => {
      const locked = await generateKeyPair('ES256', { crypto });
      await expect(exportPrivateKey(locked.privateKey, { crypto })).rejects.toMatchObject({
        code: 'ERR_KEY_NOT_EXTRACTABLE',
      });
      const open = await generateKeyPair('ES256', { crypto, extractable: true });
      const jwk = await exportPrivateKey(open.privateKey, { crypto });
      const again = await importPrivateKey(jwk, { crypto });
      const sig = await createSigner(again, { crypto }).sign(utf8('x'));
      expect(await createVerifier(open.publicKey, { crypto }).verify(utf8('x'), sig)).toBe(true);
    });

    test('an off-curve point is rejected with ERR_KEY_INVALID', async () => {
      const { publicJwk } = await generateKeyPair('ES256', { crypto });
      const y = b64uDecode(publicJwk.y as string) as Uint8Array;
      y[31] = (y[31] as number) ^ 1;
      await expect(
        importPublicKey({ ...publicJwk, y: b64uEncode(y) }, { crypto }),
      ).rejects.toMatchObject({
        code: 'ERR_KEY_INVALID',
      });
    });

    test('digests match the FIPS 180 "abc" vectors', () => {
      expect(toHex(crypto.digest('sha-256', utf8('abc')))).toBe(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
      expect(toHex(crypto.digest('sha-384', utf8('abc')))).toMatch(
        /^cb00753f45a35e8bb5a03d699ac65007/,
      );
      expect(toHex(crypto.digest('sha-512', utf8('abc')))).toMatch(
        /^ddaf35a193617abacc417349ae204131/,
      );
      expect(() => crypto.digest('md5' as 'sha-256', utf8('abc'))).toThrow(
        expect.objectContaining({ code: 'ERR_CRYPTO_UNSUPPORTED' }),
      );
    });

    test('digestB64u hashes strings as UTF-8 and equals base64url(digest)', () => {
      for (const text of ['', 'abc', 'WyJzYWx0IiwibmFtZSIsIu2Zjeq4uOuPmSJd', '홍길동']) {
        const expected = b64uEncode(crypto.digest('sha-256', utf8(text)));
        expect(crypto.digestB64u('sha-256', text)).toBe(expected);
        expect(crypto.digestB64u('sha-256', utf8(text))).toBe(expected);
      }
      expect(crypto.digestB64u('sha-384', 'abc')).toBe(
        b64uEncode(crypto.digest('sha-384', utf8('abc'))),
      );
      expect(() => crypto.digestB64u('md5' as 'sha-256', 'abc')).toThrow(
        expect.objectContaining({ code: 'ERR_CRYPTO_UNSUPPORTED' }),
      );
    });

    test('random bytes are fresh and of the requested length (also above 64 KiB)', () => {
      const a = crypto.randomBytes(16);
      const b = crypto.randomBytes(16);
      expect(a.length).toBe(16);
      expect(toHex(a)).not.toBe(toHex(b));
      expect(crypto.randomBytes(70_000).length).toBe(70_000);
    });

    test('RFC 8037 Appendix A.3: Ed25519 JWK thumbprint', () => {
      const jwk = {
        kty: 'OKP',
        crv: 'Ed25519',
        x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
      } as const;
      expect(jwkThumbprint(jwk, 'sha-256', { crypto })).toBe(
        'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
      );
    });

    test('Wycheproof ECDSA P-256 SHA-256 P1363 vectors', async () => {
      let checked = 0;
      for (const group of wycheproof.testGroups) {
        const jwk = (group as { publicKeyJwk?: { kty: string; crv: string; x: string; y: string } })
          .publicKeyJwk;
        if (jwk === undefined) continue; // groups that only exist in DER/PEM form
        let key: Awaited<ReturnType<typeof importPublicKey>>;
        try {
          key = await importPublicKey(
            { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
            { crypto },
          );
        } catch (e) {
          expect(isOpenMidError(e)).toBe(true);
          continue;
        }
        for (const t of group.tests) {
          const msg = hex(t.msg);
          const sig = hex(t.sig);
          // The provider alone may accept malleable-but-valid forms; the JWS layer adds the
          // range checks. Here: every 'valid' verifies and no 'invalid' of correct shape does.
          const ok = sig.length === 64 && (await crypto.verify(key, sig, msg));
          if (t.result === 'valid') expect(ok, `tcId ${t.tcId}`).toBe(true);
          if (t.result === 'invalid') expect(ok, `tcId ${t.tcId}`).toBe(false);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(200);
    });
  });
}

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}
