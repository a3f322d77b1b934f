import { describe, expect, test } from 'vitest';
import { providerContract } from '../../test/provider-contract.js';
import { webCryptoProvider } from '../crypto/webcrypto.js';
import { utf8 } from '../internal/bytes.js';
import { createSigner, createVerifier, generateKeyPair, importPublicKey } from '../keys/index.js';
import { nodeCryptoProvider } from './crypto.js';

providerContract(nodeCryptoProvider);

describe('providers interoperate', () => {
  test.each(['ES256', 'EdDSA'] as const)(
    '%s signed by one verifies with the other',
    async (alg) => {
      for (const [a, b] of [
        [webCryptoProvider, nodeCryptoProvider],
        [nodeCryptoProvider, webCryptoProvider],
      ] as const) {
        const { signer, publicJwk } = await generateKeyPair(alg, { crypto: a });
        const sig = await signer.sign(utf8('interop'));
        const verifier = createVerifier(await importPublicKey(publicJwk, { crypto: b }), {
          crypto: b,
        });
        expect(await verifier.verify(utf8('interop'), sig)).toBe(true);
      }
    },
  );

  test('node adopts a WebCrypto private key handle', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { crypto: webCryptoProvider });
    const sig = await createSigner(privateKey, { crypto: nodeCryptoProvider }).sign(utf8('x'));
    expect(
      await createVerifier(publicKey, { crypto: webCryptoProvider }).verify(utf8('x'), sig),
    ).toBe(true);
  });
});
