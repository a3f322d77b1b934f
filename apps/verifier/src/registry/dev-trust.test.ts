/**
 * Development trust on first use: an issuer's OpenID4VCI metadata and JWK Set become a trusted
 * issuer record — only when NODE_ENV=development.
 */
import { migrate, openPglite } from '@openmid/server-kit';
import { describe, expect, test } from 'vitest';
import { ALL_MIGRATIONS } from '../main.js';
import { makeVerifier } from '../test/harness.js';
import { issuerFromMetadata, trustIssuersOnFirstUse } from './dev-trust.js';

const URL_ = 'https://police.example';
const metadata = {
  credential_issuer: URL_,
  display: [
    { name: '경찰청', locale: 'ko-KR' },
    { name: 'Police', locale: 'en-US' },
  ],
  credential_configurations_supported: {
    'driving-licence': { format: 'dc+sd-jwt', vct: 'urn:openmid:kr:driving-licence:1' },
  },
};

describe('trust on first use (development)', () => {
  test('reads names, types and keys from the metadata and JWK Set', async () => {
    const sql = await openPglite();
    await migrate(sql, ALL_MIGRATIONS);
    const dev = await makeVerifier(sql, { env: { NODE_ENV: 'development' } });
    const jwk = { ...dev.issuer.key.publicJwk, kid: 'k1', alg: 'ES256', use: 'sig' };
    const fetchJson = async (url: string) =>
      url.endsWith('jwks.json') ? { keys: [{ ...jwk, kid: 'k1' }] } : metadata;
    expect(await trustIssuersOnFirstUse(dev.ctx, [URL_], { fetchJson, attempts: 1 })).toEqual([
      URL_,
    ]);
    const now = dev.clock.now;
    expect(await dev.ctx.trust.issuerMayIssue(URL_, 'urn:openmid:kr:driving-licence:1', now)).toBe(
      true,
    );
    expect((await dev.ctx.trust.issuerKeys(URL_, now)).keys.map((k) => k.kid)).toEqual(['k1']);
    expect(() => issuerFromMetadata('https://other.example', metadata, { keys: [] })).toThrow();
    await sql.close();
  });

  test('is refused outside development', async () => {
    const sql = await openPglite();
    await migrate(sql, ALL_MIGRATIONS);
    const v = await makeVerifier(sql);
    await expect(
      trustIssuersOnFirstUse(v.ctx, [URL_], { fetchJson: async () => metadata }),
    ).rejects.toMatchObject({
      code: 'ERR_CONFIG_INVALID',
    });
    await sql.close();
  });
});
