import { generateKeyPair } from '@openmid/core';
import { beforeAll, describe, expect, test } from 'vitest';
import { canonicalize } from './canonical.js';
import {
  cosign,
  ENTRY_DOMAIN,
  effectsOf,
  encodeEffects,
  encodeRecord,
  entryIdOf,
  entryPreimage,
  parseEntry,
  propose,
  type SignedEntry,
  subjectOf,
} from './entry.js';
import { fromHex, toHex } from './internal/bytes.js';
import {
  createIssuerFixture,
  createLedgerFixtures,
  genesisEntry,
  type IssuerFixture,
  issuerKeyOf,
  issuerProfile,
  type LedgerFixtures,
  rpProfile,
} from './testing/fixtures.js';

const T = 1_800_000_000;
let f: LedgerFixtures;
let issuer: IssuerFixture;

beforeAll(async () => {
  f = await createLedgerFixtures();
  issuer = await createIssuerFixture('https://id.mois.go.kr', 2);
});

describe('ledger entries', () => {
  test('the signing domain is SHA-256("openmid-ledger-entry-v1") (the contract hard-codes it)', () => {
    expect(toHex(ENTRY_DOMAIN)).toBe(
      '2d1a4b4dcdd566679b56b1fa981dc62fefd44af71a480382c1bca6698b74506c',
    );
    expect(toHex(subjectOf('governance'))).toBe(
      'bf9422a2a04aad2180fad0913f1cdf8a9d3780fd074817d2569050d0a8095d3a',
    );
  });

  test('effects have the fixed layout the contract packs: 139 bytes + 112 per key', () => {
    const body = {
      typ: 'issuer.register' as const,
      iat: T,
      exp: T + 60,
      issuer: issuerProfile('https://id.mois.go.kr', ['urn:openmid:kr:resident-id:1'], T - 10),
      keys: issuer.keys.map((k) => issuerKeyOf(k, T - 10)),
    };
    const e = effectsOf(body);
    const bytes = encodeEffects(e);
    expect(bytes.length).toBe(139 + 2 * 112);
    expect(bytes[0]).toBe(2);
    expect(toHex(bytes.subarray(1, 33))).toBe(toHex(subjectOf('issuer:https://id.mois.go.kr')));
    expect(bytes[138]).toBe(2);
    // Keys sorted by id, so every signer computes the same bytes.
    expect(toHex(e.keys[0]?.id as Uint8Array) < toHex(e.keys[1]?.id as Uint8Array)).toBe(true);
    const record = encodeRecord({
      kind: 2,
      time: T,
      prev: null,
      subject: e.subject,
      entryId: new Uint8Array(32),
      sigsHash: new Uint8Array(32),
    });
    expect(record.length).toBe(114);
    expect(toHex(record.subarray(10, 18))).toBe('0000000000000000');
    expect(
      toHex(
        encodeRecord({
          kind: 2,
          time: T,
          prev: 6,
          subject: e.subject,
          entryId: new Uint8Array(32),
          sigsHash: new Uint8Array(32),
        }).subarray(10, 18),
      ),
    ).toBe('0000000000000007');
  });

  test('propose then cosign one agency after another; re-signing replaces, never duplicates', async () => {
    const g = await genesisEntry(f, T);
    let p: SignedEntry = propose({
      typ: 'rp.remove',
      iat: T,
      exp: T + 60,
      rp: 'x509_san_dns:bank.example',
      effectiveAt: T,
    });
    p = await cosign(p, f.agencies[0].signer, { ledgerId: g.ledgerId, kid: f.agencies[0].kid });
    const text = JSON.stringify(p); // travels as a file
    p = await cosign(JSON.parse(text), f.agencies[2].signer, {
      ledgerId: g.ledgerId,
      kid: f.agencies[2].kid,
    });
    p = await cosign(p, f.agencies[2].signer, { ledgerId: g.ledgerId, kid: f.agencies[2].kid });
    expect(p.signatures.map((s) => s.kid).sort()).toEqual(
      [f.agencies[0].kid, f.agencies[2].kid].sort(),
    );
    // The kid defaults to the RFC 7638 thumbprint of the signer's key.
    const q = await cosign(propose(p.body), f.agencies[1].signer, { ledgerId: g.ledgerId });
    expect(q.signatures[0]?.kid).toBe(f.agencies[1].kid);
  });

  test('the preimage binds the ledger: the same body has another id on another ledger', async () => {
    const a = await genesisEntry(f, T, 'a');
    const b = await genesisEntry(f, T, 'b');
    const p = parseEntry(
      propose({ typ: 'rp.remove', iat: T, exp: T + 60, rp: 'x', effectiveAt: T }),
    );
    const ida = entryIdOf(p, fromHex(a.ledgerId) as Uint8Array);
    const idb = entryIdOf(p, fromHex(b.ledgerId) as Uint8Array);
    expect(toHex(ida)).not.toBe(toHex(idb));
    expect(entryPreimage(p, fromHex(a.ledgerId) as Uint8Array).length).toBe(128);
    expect(() => entryPreimage(p, undefined)).toThrow(
      expect.objectContaining({ code: 'ERR_LEDGER_GENESIS_MISMATCH' }),
    );
  });

  test('bodies are closed and strict: every malformed member is ERR_LEDGER_ENTRY_INVALID', async () => {
    const good = {
      typ: 'rp.register',
      iat: T,
      exp: T + 60,
      rp: rpProfile('x509_san_dns:bank.example', { validFrom: T, keys: [f.rpKey] }),
    };
    expect(() => parseEntry({ body: good, signatures: [] })).not.toThrow();
    const bad: unknown[] = [
      { ...good, typ: 'issuer.promote' },
      { ...good, extra: true },
      { ...good, iat: -1 },
      { ...good, iat: 1.5 },
      { ...good, exp: '1' },
      { ...good, rp: { ...good.rp, names: { ko: '은행' } } },
      { ...good, rp: { ...good.rp, names: { ko: '은행\u0000', en: 'Bank' } } },
      { ...good, rp: { ...good.rp, names: { ko: ' 은행', en: 'Bank' } } },
      { ...good, rp: { ...good.rp, requests: [] } },
      { ...good, rp: { ...good.rp, requests: [{ vct: 'a', claims: [['x'], ['x']] }] } },
      { ...good, rp: { ...good.rp, requests: [{ vct: 'a', claims: [[-1]] }] } },
      { ...good, rp: { ...good.rp, keys: [{ kid: 'k', jwk: { ...f.rpKey.jwk, d: 'secret' } }] } },
      { ...good, rp: { ...good.rp, keys: [{ kid: 'k', jwk: { kty: 'oct', k: 'AAAA' } }] } },
      { ...good, rp: { ...good.rp, validUntil: T - 1 } },
      {
        typ: 'anchor.status-list',
        iat: T,
        exp: T + 1,
        issuer: 'https://a.example',
        uri: 'http://a.example/s',
        digest: '00'.repeat(32),
        issuedAt: T,
      },
      {
        typ: 'anchor.document',
        iat: T,
        exp: T + 1,
        issuer: 'https://a.example',
        digest: 'AB'.repeat(32),
        documentType: 'x',
      },
      {
        typ: 'issuer.remove',
        iat: T,
        exp: T + 1,
        issuer: 'https://user:pw@a.example',
        effectiveAt: T,
      },
      {
        typ: 'issuer.remove',
        iat: T,
        exp: T + 1,
        issuer: 'https://a.example/?q=1',
        effectiveAt: T,
      },
      // http is only for loopback development systems; a look-alike host stays refused.
      {
        typ: 'issuer.remove',
        iat: T,
        exp: T + 1,
        issuer: 'http://localhost.example',
        effectiveAt: T,
      },
      { typ: 'issuer.remove', iat: T, exp: T + 1, issuer: 'http://10.0.0.1:7001', effectiveAt: T },
    ];
    for (const b of bad) {
      expect(() => parseEntry({ body: b, signatures: [] }), canonicalize(b).slice(0, 80)).toThrow(
        expect.objectContaining({ code: 'ERR_LEDGER_ENTRY_INVALID' }),
      );
    }
    // A governance kid must be the RFC 7638 thumbprint of its key.
    const g = await genesisEntry(f, T);
    const gb = g.entry.body as unknown as { governance: { keys: { kid: string }[] } };
    const wrongKid = structuredClone(gb);
    (wrongKid.governance.keys[0] as { kid: string }).kid = 'police';
    expect(() => parseEntry({ body: wrongKid, signatures: [] })).toThrow(
      expect.objectContaining({ code: 'ERR_LEDGER_ENTRY_INVALID' }),
    );
    // Malformed signatures.
    expect(() => parseEntry({ body: good, signatures: [{ kid: 'a', sig: 'zz' }] })).toThrow(
      expect.objectContaining({ code: 'ERR_LEDGER_SIGNATURE_INVALID' }),
    );
  });

  test('loopback http identifiers are accepted for development systems', () => {
    for (const issuer of ['http://localhost:7001', 'http://127.0.0.1:7001', 'http://[::1]:7001']) {
      expect(() =>
        parseEntry({
          body: { typ: 'issuer.remove', iat: T, exp: T + 1, issuer, effectiveAt: T },
          signatures: [],
        }),
      ).not.toThrow();
    }
  });

  test('only ES256 keys sign entries', async () => {
    const ed = await generateKeyPair('EdDSA');
    await expect(
      cosign(propose({ typ: 'rp.remove', iat: T, exp: T + 1, rp: 'x', effectiveAt: T }), ed.signer),
    ).rejects.toMatchObject({
      code: 'ERR_INPUT_INVALID',
    });
  });
});
