/**
 * @module commands/keygen
 * `openmid keygen [--alg ES256|EdDSA] --out FILE`: writes the private JWK (mode 0600), prints the
 * public JWK.
 */
import { assertSigAlg, exportPrivateKey, generateKeyPair, jwkThumbprint } from '@openmid/core/keys';
import { type Command, required, usageError } from '../cli.js';
import { writeSecret } from '../files.js';

export const keygen: Command = {
  name: 'keygen',
  summary:
    'Generate a signing key pair: writes the private JWK (mode 0600), prints the public JWK.',
  usage: 'keygen [--alg ES256|EdDSA] --out FILE [--kid ID] [--force]',
  options: {
    alg: { type: 'string', default: 'ES256' },
    out: { type: 'string' },
    kid: { type: 'string' },
    force: { type: 'boolean', default: false },
  },
  async run({ values, io }) {
    const alg = values['alg'];
    try {
      assertSigAlg(alg);
    } catch {
      throw usageError(`--alg must be ES256 or EdDSA, not ${String(alg)}`);
    }
    const out = required(values, 'out');
    const pair = await generateKeyPair(alg, { extractable: true });
    const kid = typeof values['kid'] === 'string' ? values['kid'] : jwkThumbprint(pair.publicJwk);
    const privateJwk = { ...(await exportPrivateKey(pair.privateKey)), kid, alg };
    await writeSecret(
      out,
      `${JSON.stringify(privateJwk, null, 2)}\n`,
      io,
      values['force'] === true,
    );
    io.stdout(`${JSON.stringify({ ...pair.publicJwk, kid, alg })}\n`);
    return 0;
  },
};
