/**
 * The wallet's trust: anchors parsed and pinned once; the ledger answers first, the registry's
 * bundle for what the ledger does not carry or while the ledger cannot answer at all.
 */
import { OpenMidError } from '@openmid/core/errors';
import { generateKeyPair, jwkThumbprint } from '@openmid/core/keys';
import { staticTrustSource, type TrustSource } from '@openmid/verifier';
import { describe, expect, test } from 'vitest';
import { memoryStore } from './store.js';
import { createWalletTrust, layeredTrust, parseTrustAnchors } from './trust.js';
import { createVault } from './vault.js';

const NOW = 1_800_000_000;
const DL = 'urn:openmid:kr:driving-licence:1';

async function sources() {
  const k1 = await generateKeyPair('ES256');
  const k2 = await generateKeyPair('ES256');
  const issuer = (id: string, k: typeof k1, types: string[]) => ({
    id,
    names: { ko: id, en: id },
    types,
    keys: [{ kid: jwkThumbprint(k.publicJwk), jwk: k.publicJwk }],
  });
  const ledger = staticTrustSource({
    issuers: [issuer('https://police.example', k1, [DL])],
    relyingParties: [],
  });
  const bundle = staticTrustSource({
    issuers: [
      issuer('https://police.example', k2, [DL, 'urn:openmid:kr:resident-id:1']),
      issuer('https://mois.example', k2, ['urn:openmid:kr:resident-id:1']),
    ],
    relyingParties: [],
  });
  return { ledger, bundle, k1, k2 };
}

describe('layered trust (ledger first, bundle second)', () => {
  test('an issuer the ledger knows is answered by the ledger alone', async () => {
    const { ledger, bundle, k1 } = await sources();
    const t = layeredTrust(ledger, bundle);
    const keys = await t.issuerKeys('https://police.example', NOW);
    expect(keys.keys.map((k) => k.kid)).toEqual([jwkThumbprint(k1.publicJwk)]);
    // The bundle's wider entry does not widen what the ledger says about this issuer.
    expect(
      await t.issuerMayIssue('https://police.example', 'urn:openmid:kr:resident-id:1', NOW),
    ).toBe(false);
  });

  test('an issuer only the bundle knows is answered by the bundle', async () => {
    const { ledger, bundle } = await sources();
    const t = layeredTrust(ledger, bundle);
    expect(
      await t.issuerMayIssue('https://mois.example', 'urn:openmid:kr:resident-id:1', NOW),
    ).toBe(true);
  });

  test('a ledger that cannot answer (stale, unreachable) leaves the bundle answering', async () => {
    const { bundle } = await sources();
    const down: TrustSource = {
      issuerKeys: () => Promise.reject(new OpenMidError('ERR_LEDGER_SNAPSHOT_STALE')),
      issuerMayIssue: () => Promise.reject(new OpenMidError('ERR_LEDGER_SNAPSHOT_STALE')),
      relyingParty: () => Promise.reject(new OpenMidError('ERR_TRUST_SOURCE_UNAVAILABLE')),
    };
    const t = layeredTrust(down, bundle);
    expect(await t.issuerMayIssue('https://police.example', DL, NOW)).toBe(true);
    expect(await t.relyingParty('bank', NOW)).toBeUndefined();
  });

  test('any other failure of the ledger is not hidden', async () => {
    const { bundle } = await sources();
    const broken: TrustSource = {
      issuerKeys: () => Promise.reject(new OpenMidError('ERR_LEDGER_ROLLBACK')),
      issuerMayIssue: () => Promise.reject(new OpenMidError('ERR_LEDGER_ROLLBACK')),
      relyingParty: () => Promise.reject(new OpenMidError('ERR_LEDGER_ROLLBACK')),
    };
    await expect(
      layeredTrust(broken, bundle).issuerKeys('https://x.example', NOW),
    ).rejects.toMatchObject({
      code: 'ERR_LEDGER_ROLLBACK',
    });
  });
});

describe('trust anchors', () => {
  test('are parsed from configuration and pinned once', async () => {
    const { k1 } = await sources();
    const anchors = parseTrustAnchors(
      {
        bundleUrl: 'https://verifier.example/v1/trust-bundle',
        registryKeys: [{ kid: 'r1', jwk: k1.publicJwk }],
        ledger: null,
      },
      NOW,
    );
    expect(anchors.ledger).toBeUndefined();
    const vault = createVault(memoryStore(), { iterations: 1000 });
    await vault.setUp('270419');
    const trust = createWalletTrust({
      vault,
      http: { fetch: () => Promise.reject(new Error('offline')), allowHttp: false },
    });
    await trust.pin(anchors);
    await trust.pin(anchors); // the same anchors again: fine
    await expect(
      trust.pin({ ...anchors, registryKeys: [{ kid: 'other', jwk: k1.publicJwk }] }),
    ).rejects.toMatchObject({ code: 'ERR_WALLET_TRUST_UNAVAILABLE' });
    // Never fetched and offline: no trust at all (fail closed).
    await expect(trust.current()).rejects.toMatchObject({ code: 'ERR_WALLET_TRUST_UNAVAILABLE' });
  });

  test('malformed configuration is refused', () => {
    for (const bad of [
      null,
      {},
      { bundleUrl: 'x', registryKeys: [] },
      { bundleUrl: 'x', registryKeys: [{}] },
    ])
      expect(() => parseTrustAnchors(bad, NOW)).toThrow(
        expect.objectContaining({ code: 'ERR_WALLET_TRUST_UNAVAILABLE' }),
      );
  });
});
