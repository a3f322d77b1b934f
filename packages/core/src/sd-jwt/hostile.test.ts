/**
 * Hostile inputs: one test per rejection of SECURITY.md "SD-JWT / SD-JWT VC" and per SD-JWT
 * error code, each asserting the code (never the message). Every case also checks that the
 * rejection changed no state (the policy and inputs are deep-frozen: any write would surface as
 * ERR_INTERNAL) and that the error carries no claim value (every claim value below contains SECRET).
 */
import { describe, expect, test } from 'vitest';
import { defaultCrypto } from '../crypto/default.js';
import type { HashAlg } from '../crypto/provider.js';
import { isOpenMidError } from '../errors/error.js';
import { b64uEncode, b64uEncodeText, utf8 } from '../internal/bytes.js';
import { signCompactJws } from '../jose/jws.js';
import { generateKeyPair, type Signer, verifierFromJwk } from '../keys/index.js';
import { parseSdJwt, presentSdJwt } from './holder.js';
import { issueSdJwt } from './issue.js';
import { type VerifySdJwtOptions, verifySdJwt } from './verify.js';

const SECRET = 'SECRET-7f3a';
const NOW = 1_800_000_000;
const TYP = 'example+sd-jwt';
const NONCE = 'nonce-abc';
const AUD = 'https://verifier.example';

const issuer = await generateKeyPair('ES256');
const other = await generateKeyPair('ES256');
const holder = await generateKeyPair('ES256');
const issuerVerifier = await verifierFromJwk(issuer.publicJwk);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function disc(...items: unknown[]): string {
  return b64uEncodeText(JSON.stringify(items));
}

function dig(disclosure: string, alg: HashAlg = 'sha-256'): string {
  return b64uEncode(defaultCrypto().digest(alg, utf8(disclosure)));
}

async function jwt(
  payload: Record<string, unknown>,
  options: { typ?: string; signer?: Signer } = {},
): Promise<string> {
  return signCompactJws(payload, {
    typ: options.typ ?? TYP,
    signer: options.signer ?? issuer.signer,
  });
}

/** `<JWT>~<D1>~…~<Dn>~` over a hand-made payload. */
async function sdJwt(
  payload: Record<string, unknown>,
  disclosures: readonly string[],
  options: { typ?: string; signer?: Signer } = {},
): Promise<string> {
  return `${await jwt(payload, options)}~${disclosures.map((d) => `${d}~`).join('')}`;
}

/** Append a KB-JWT; `payload` overrides the honest one, `sdHashOf` hashes another string. */
async function withKb(
  presented: string,
  options: {
    payload?: Record<string, unknown>;
    typ?: string;
    signer?: Signer;
    sdHashOf?: string;
  } = {},
): Promise<string> {
  const honest = {
    iat: NOW,
    aud: AUD,
    nonce: NONCE,
    sd_hash: dig(options.sdHashOf ?? presented),
  };
  const kb = await signCompactJws(
    { ...honest, ...options.payload },
    { typ: options.typ ?? 'kb+jwt', signer: options.signer ?? holder.signer },
  );
  return presented + kb;
}

const cnf = { jwk: holder.publicJwk };
const KB_POLICY = { nonce: NONCE, aud: AUD };

function verify(presentation: string, policy: Partial<VerifySdJwtOptions> = {}) {
  return verifySdJwt(
    presentation,
    deepFreeze({
      typ: TYP,
      issuerKey: issuerVerifier,
      keyBinding: false as const,
      now: NOW,
      ...policy,
    }),
  );
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isOpenMidError(error), `expected ${code}, got ${String(error)}`).toBe(true);
  const e = error as { code: string; message: string; cause?: unknown; toJSON(): unknown };
  expect(e.code).toBe(code);
  const visible = `${e.message} ${JSON.stringify(e.toJSON())} ${String(e.cause ?? '')}`;
  expect(visible).not.toContain(SECRET);
}

const dName = disc('salt-given-name-0001', 'given_name', `${SECRET}-given`);
const dFamily = disc('salt-family-name-002', 'family_name', `${SECRET}-family`);
const dElem = disc('salt-element-000003', `${SECRET}-KR`);

describe('SD-JWT hostile inputs (RFC 9901 §7.1, §7.3; SECURITY.md)', () => {
  test('the honest baseline verifies', async () => {
    const p = await sdJwt({ _sd: [dig(dName)], nat: [{ '...': dig(dElem) }], cnf }, [dName, dElem]);
    const r = await verify(await withKb(p), { keyBinding: KB_POLICY });
    expect(r.claims).toMatchObject({ given_name: `${SECRET}-given`, nat: [`${SECRET}-KR`] });
  });

  describe('format and limits (§7.1 step 1)', () => {
    test('rejects a non-string and a JWT without ~', async () => {
      await expectCode(verify(42 as unknown as string), 'ERR_SDJWT_MALFORMED');
      await expectCode(verify(await jwt({ a: SECRET })), 'ERR_SDJWT_MALFORMED');
    });
    test('rejects an empty Disclosure (~~)', async () => {
      await expectCode(
        verify(`${await jwt({ _sd: [dig(dName)] })}~~${dName}~`),
        'ERR_SDJWT_MALFORMED',
      );
    });
    test('rejects non-ASCII characters and a last part that is not a JWT', async () => {
      const p = await sdJwt({ _sd: [dig(dName)] }, [dName]);
      await expectCode(verify(`${p.slice(0, -1)}é~`), 'ERR_SDJWT_MALFORMED');
      await expectCode(verify(`${p}notajwt`), 'ERR_SDJWT_MALFORMED');
    });
    test('rejects an input over the size limit before splitting', async () => {
      const p = await sdJwt({ a: SECRET }, []);
      await expectCode(verify(p, { limits: { maxLength: p.length - 1 } }), 'ERR_SDJWT_TOO_LARGE');
    });
    test('rejects too many Disclosures by counting ~ first', async () => {
      const p = `${await jwt({ a: SECRET })}~${'x~'.repeat(300)}`;
      await expectCode(verify(p), 'ERR_SDJWT_TOO_LARGE');
      await expectCode(
        verify(`${await jwt({})}~${dName}~${dFamily}~`, { limits: { maxDisclosures: 1 } }),
        'ERR_SDJWT_TOO_LARGE',
      );
    });
    test('rejects nesting deeper than the limit, Disclosures included', async () => {
      let inner = disc('salt-deep-000000000', 'leaf', SECRET);
      const chain = [inner];
      for (let i = 0; i < 40; i++) {
        inner = disc(`salt-deep-${i}-00000000`, `n${i}`, { _sd: [dig(inner)] });
        chain.push(inner);
      }
      const p = await sdJwt({ _sd: [dig(inner)] }, chain);
      await expectCode(verify(p), 'ERR_SDJWT_TOO_LARGE');
      let deepValue: unknown = SECRET;
      for (let i = 0; i < 40; i++) deepValue = [deepValue];
      const d = disc('salt-deep-json-0000', 'deep', deepValue);
      await expectCode(verify(await sdJwt({ _sd: [dig(d)] }, [d])), 'ERR_SDJWT_TOO_LARGE');
    });
  });

  describe('the Issuer-signed JWT (§7.1 step 2)', () => {
    test('rejects a signature by another key (the key never comes from the token)', async () => {
      const p = await sdJwt({ _sd: [dig(dName)], jwk: other.publicJwk }, [dName], {
        signer: other.signer,
      });
      await expectCode(verify(p), 'ERR_JOSE_SIGNATURE_INVALID');
    });
    test('rejects a token of another kind (explicit typ)', async () => {
      await expectCode(
        verify(await sdJwt({ a: SECRET }, [], { typ: 'kb+jwt' })),
        'ERR_JOSE_TYP_MISMATCH',
      );
    });
    test('rejects alg none', async () => {
      const header = b64uEncodeText(JSON.stringify({ alg: 'none', typ: TYP }));
      const body = b64uEncodeText(JSON.stringify({ a: SECRET }));
      await expectCode(verify(`${header}.${body}.AAAA~`), 'ERR_JOSE_ALG_NOT_ALLOWED');
    });
    test('rejects an _sd_alg that is not allowed or not a string (§7.1 step 2.4)', async () => {
      await expectCode(
        verify(await sdJwt({ _sd_alg: 'md5', a: SECRET }, [])),
        'ERR_SDJWT_HASH_ALG_UNSUPPORTED',
      );
      await expectCode(verify(await sdJwt({ _sd_alg: 256 }, [])), 'ERR_SDJWT_HASH_ALG_UNSUPPORTED');
      await expectCode(
        verify(await sdJwt({ _sd_alg: 'sha-512' }, []), { hashAlgs: ['sha-256'] }),
        'ERR_SDJWT_HASH_ALG_UNSUPPORTED',
      );
    });
    test('rejects _sd_alg below the top level (§4.1.1)', async () => {
      await expectCode(
        verify(await sdJwt({ address: { _sd_alg: 'sha-256', city: SECRET } }, [])),
        'ERR_SDJWT_HASH_ALG_UNSUPPORTED',
      );
      const d = disc('salt-sd-alg-000000', 'x', { _sd_alg: 'sha-256' });
      await expectCode(
        verify(await sdJwt({ _sd: [dig(d)] }, [d])),
        'ERR_SDJWT_HASH_ALG_UNSUPPORTED',
      );
    });
    test('uses the announced _sd_alg for the digests', async () => {
      const p = await sdJwt({ _sd_alg: 'sha-384', _sd: [dig(dName, 'sha-384')] }, [dName]);
      await expect(verify(p)).resolves.toMatchObject({ claims: { given_name: `${SECRET}-given` } });
      const wrong = await sdJwt({ _sd_alg: 'sha-384', _sd: [dig(dName)] }, [dName]);
      await expectCode(verify(wrong), 'ERR_SDJWT_DISCLOSURE_UNREFERENCED');
    });
  });

  describe('Disclosures and digests (§7.1 steps 3 to 5)', () => {
    test('rejects an edited Disclosure (its digest is no longer referenced)', async () => {
      const edited = disc('salt-given-name-0001', 'given_name', `${SECRET}-forged`);
      await expectCode(
        verify(await sdJwt({ _sd: [dig(dName)] }, [edited])),
        'ERR_SDJWT_DISCLOSURE_UNREFERENCED',
      );
    });
    test('rejects an unreferenced Disclosure instead of dropping it', async () => {
      await expectCode(
        verify(await sdJwt({ _sd: [dig(dName)] }, [dName, dFamily])),
        'ERR_SDJWT_DISCLOSURE_UNREFERENCED',
      );
    });
    test('rejects a child Disclosure presented without its parent', async () => {
      const child = disc('salt-child-00000000', 'street', SECRET);
      const parent = disc('salt-parent-0000000', 'address', { _sd: [dig(child)] });
      const p = await sdJwt({ _sd: [dig(parent)] }, [child]);
      await expectCode(verify(p), 'ERR_SDJWT_DISCLOSURE_UNREFERENCED');
    });
    test('rejects the same Disclosure presented twice', async () => {
      await expectCode(
        verify(await sdJwt({ _sd: [dig(dName)] }, [dName, dName])),
        'ERR_SDJWT_DIGEST_DUPLICATE',
      );
    });
    test('rejects a digest twice in one _sd, even an undisclosed one', async () => {
      await expectCode(
        verify(await sdJwt({ _sd: [dig(dName), dig(dName)] }, [dName])),
        'ERR_SDJWT_DIGEST_DUPLICATE',
      );
      await expectCode(
        verify(await sdJwt({ _sd: [dig(dName), dig(dName)] }, [])),
        'ERR_SDJWT_DIGEST_DUPLICATE',
      );
    });
    test('rejects a digest repeated across nested _sd arrays', async () => {
      const p = await sdJwt({ _sd: [dig(dName)], address: { _sd: [dig(dName)] } }, [dName]);
      await expectCode(verify(p), 'ERR_SDJWT_DIGEST_DUPLICATE');
      const inner = disc('salt-inner-00000000', 'x', { _sd: [dig(dFamily)] });
      const q = await sdJwt({ _sd: [dig(dFamily), dig(inner)] }, [inner, dFamily]);
      await expectCode(verify(q), 'ERR_SDJWT_DIGEST_DUPLICATE');
    });
    test('rejects a repeated array digest {"...": d}', async () => {
      const p = await sdJwt({ nat: [{ '...': dig(dElem) }, { '...': dig(dElem) }] }, [dElem]);
      await expectCode(verify(p), 'ERR_SDJWT_DIGEST_DUPLICATE');
    });
    test('rejects Disclosures that name _sd, ... or _sd_alg (§7.1 step 3.3.2.2)', async () => {
      for (const name of ['_sd', '...', '_sd_alg']) {
        const d = disc('salt-reserved-00000', name, [SECRET]);
        await expectCode(
          verify(await sdJwt({ _sd: [dig(d)] }, [d])),
          'ERR_SDJWT_CLAIM_NAME_RESERVED',
        );
      }
    });
    test('rejects a disclosed name that collides with a member (§7.1 step 3.3.2.3)', async () => {
      const d = disc('salt-collide-000000', 'given_name', `${SECRET}-forged`);
      await expectCode(
        verify(await sdJwt({ given_name: SECRET, _sd: [dig(d)] }, [d])),
        'ERR_SDJWT_CLAIM_NAME_COLLISION',
      );
      await expectCode(
        verify(await sdJwt({ _sd: [dig(d), dig(dName)] }, [d, dName])),
        'ERR_SDJWT_CLAIM_NAME_COLLISION',
      );
    });
    test('rejects Disclosures of the wrong kind (§7.1 steps 3.3.2.1 and 3.3.3.1)', async () => {
      await expectCode(
        verify(await sdJwt({ _sd: [dig(dElem)] }, [dElem])),
        'ERR_SDJWT_DISCLOSURE_WRONG_KIND',
      );
      await expectCode(
        verify(await sdJwt({ nat: [{ '...': dig(dName) }] }, [dName])),
        'ERR_SDJWT_DISCLOSURE_WRONG_KIND',
      );
    });
    test('rejects an _sd that is not an array of strings', async () => {
      await expectCode(verify(await sdJwt({ _sd: dig(dName) }, [])), 'ERR_SDJWT_SD_INVALID');
      await expectCode(
        verify(await sdJwt({ _sd: [dig(dName), 7] }, [dName])),
        'ERR_SDJWT_SD_INVALID',
      );
      await expectCode(
        verify(await sdJwt({ a: { _sd: { x: SECRET } } }, [])),
        'ERR_SDJWT_SD_INVALID',
      );
    });
    test('rejects {"...": d} with another member, a non-string digest, or ... outside arrays', async () => {
      await expectCode(
        verify(await sdJwt({ nat: [{ '...': dig(dElem), x: SECRET }] }, [dElem])),
        'ERR_SDJWT_SD_INVALID',
      );
      await expectCode(verify(await sdJwt({ nat: [{ '...': 5 }] }, [])), 'ERR_SDJWT_SD_INVALID');
      await expectCode(
        verify(await sdJwt({ obj: { '...': dig(dElem) } }, [dElem])),
        'ERR_SDJWT_SD_INVALID',
      );
    });
    test('rejects malformed Disclosures', async () => {
      const cases = [
        b64uEncodeText(`["salt", "a", "${SECRET}"`), // not JSON
        b64uEncodeText(`{"salt": "${SECRET}"}`), // not an array
        disc('salt', 'a', SECRET, 'extra'), // four elements
        disc(1234, 'a', SECRET), // salt not a string
        disc('salt-name-not-string', 7, SECRET), // name not a string
        b64uEncodeText(`["salt", "a", {"x": "${SECRET}", "x": 1}]`), // duplicate member
        `${b64uEncodeText(`["salt", "a", "${SECRET}"]`)}=`, // padding
        b64uEncode(new Uint8Array([0x5b, 0x22, 0xff, 0xfe, 0x22, 0x5d])), // not UTF-8
      ];
      for (const d of cases) {
        const p = `${await jwt({ _sd: [dig(d)] })}~${d}~`;
        await expectCode(verify(p), 'ERR_SDJWT_DISCLOSURE_MALFORMED');
      }
    });
  });

  describe('prototype pollution', () => {
    test('__proto__, constructor and prototype stay data', async () => {
      const names = ['__proto__', 'constructor', 'prototype'];
      const ds = names.map((n, i) => disc(`salt-proto-${i}-0000000`, n, { polluted: SECRET }));
      const plain = JSON.parse(
        '{"__proto__": {"polluted": "yes"}, "nested": {"__proto__": {"polluted": "yes"}}}',
      );
      const p = await sdJwt({ ...plain, obj: { _sd: ds.map((d) => dig(d)) } }, ds);
      const { claims } = await verify(p);
      const obj = claims['obj'] as Record<string, unknown>;
      for (const n of names) expect(Object.hasOwn(obj, n)).toBe(true);
      expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
      expect(Object.getPrototypeOf(claims)).toBe(Object.prototype);
      expect(Object.hasOwn(claims, '__proto__')).toBe(true);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      expect(Object.hasOwn(claims['nested'] as object, '__proto__')).toBe(true);
    });
  });

  describe('time claims on the processed payload (§7.1 step 6)', () => {
    test('an expired exp inside a Disclosure is still seen', async () => {
      const d = disc('salt-exp-0000000000', 'exp', NOW - 3600);
      await expectCode(verify(await sdJwt({ _sd: [dig(d)], a: SECRET }, [d])), 'ERR_JWT_EXPIRED');
    });
    test('a required time claim that is absent is refused', async () => {
      await expectCode(
        verify(await sdJwt({ a: SECRET }, []), { requireTimeClaims: ['exp'] }),
        'ERR_JWT_CLAIM_MISSING',
      );
    });
  });

  describe('key binding (§7.3)', () => {
    const base = () => sdJwt({ _sd: [dig(dName), dig(dFamily)], cnf }, [dName, dFamily]);
    test('policy, not presence: KB required but absent, before any signature check', async () => {
      const p = await sdJwt({ _sd: [dig(dName)], cnf }, [dName], { signer: other.signer });
      await expectCode(verify(p, { keyBinding: KB_POLICY }), 'ERR_SDJWT_KB_REQUIRED');
    });
    test('rejects KB when the SD-JWT has no cnf.jwk', async () => {
      const p = await sdJwt({ _sd: [dig(dName)] }, [dName]);
      await expectCode(verify(await withKb(p), { keyBinding: KB_POLICY }), 'ERR_SDJWT_CNF_MISSING');
      const q = await sdJwt({ cnf: { kid: 'k1' } }, []);
      await expectCode(verify(await withKb(q), { keyBinding: KB_POLICY }), 'ERR_SDJWT_CNF_MISSING');
    });
    test('rejects a cnf.jwk that is not a valid public key', async () => {
      const p = await sdJwt({ cnf: { jwk: { ...holder.publicJwk, x: 'AAAA' } } }, []);
      await expectCode(verify(await withKb(p), { keyBinding: KB_POLICY }), 'ERR_KEY_INVALID');
    });
    test('rejects a KB-JWT signed by another key', async () => {
      await expectCode(
        verify(await withKb(await base(), { signer: other.signer }), { keyBinding: KB_POLICY }),
        'ERR_JOSE_SIGNATURE_INVALID',
      );
    });
    test('rejects a KB-JWT with the wrong typ', async () => {
      await expectCode(
        verify(await withKb(await base(), { typ: 'jwt' }), { keyBinding: KB_POLICY }),
        'ERR_JOSE_TYP_MISMATCH',
      );
    });
    test('rejects a stale, a future and a missing iat', async () => {
      const p = await base();
      await expectCode(
        verify(await withKb(p, { payload: { iat: NOW - 301 - 30 } }), { keyBinding: KB_POLICY }),
        'ERR_SDJWT_KB_IAT_OUT_OF_WINDOW',
      );
      await expectCode(
        verify(await withKb(p, { payload: { iat: NOW + 31 } }), { keyBinding: KB_POLICY }),
        'ERR_SDJWT_KB_IAT_OUT_OF_WINDOW',
      );
      await expectCode(
        verify(await withKb(p, { payload: { iat: `${NOW}` } }), { keyBinding: KB_POLICY }),
        'ERR_SDJWT_KB_IAT_OUT_OF_WINDOW',
      );
      await expectCode(
        verify(await withKb(p, { payload: { iat: NOW - 100 } }), {
          keyBinding: { ...KB_POLICY, maxAgeSeconds: 60 },
        }),
        'ERR_SDJWT_KB_IAT_OUT_OF_WINDOW',
      );
    });
    test('rejects a wrong or missing nonce', async () => {
      const p = await base();
      await expectCode(
        verify(await withKb(p, { payload: { nonce: 'other' } }), { keyBinding: KB_POLICY }),
        'ERR_SDJWT_KB_NONCE_MISMATCH',
      );
      await expectCode(
        verify(await withKb(p, { payload: { nonce: undefined } }), { keyBinding: KB_POLICY }),
        'ERR_SDJWT_KB_NONCE_MISMATCH',
      );
    });
    test('rejects a wrong aud, and an array aud', async () => {
      const p = await base();
      await expectCode(
        verify(await withKb(p, { payload: { aud: 'https://evil.example' } }), {
          keyBinding: KB_POLICY,
        }),
        'ERR_SDJWT_KB_AUD_MISMATCH',
      );
      await expectCode(
        verify(await withKb(p, { payload: { aud: [AUD, 'x'] } }), { keyBinding: KB_POLICY }),
        'ERR_SDJWT_KB_AUD_MISMATCH',
      );
    });
    test('rejects an sd_hash over other Disclosures (dropped, added, reordered)', async () => {
      const full = await base();
      const kb = await withKb(full);
      const jwtPart = full.slice(0, full.indexOf('~'));
      const dropped = `${jwtPart}~${dName}~${kb.slice(full.length)}`;
      const reordered = `${jwtPart}~${dFamily}~${dName}~${kb.slice(full.length)}`;
      await expectCode(verify(dropped, { keyBinding: KB_POLICY }), 'ERR_SDJWT_KB_SD_HASH_MISMATCH');
      await expectCode(
        verify(reordered, { keyBinding: KB_POLICY }),
        'ERR_SDJWT_KB_SD_HASH_MISMATCH',
      );
      const partial = `${jwtPart}~${dName}~`;
      await expectCode(
        verify(await withKb(partial, { sdHashOf: full }), { keyBinding: KB_POLICY }),
        'ERR_SDJWT_KB_SD_HASH_MISMATCH',
      );
      await expectCode(
        verify(await withKb(partial, { payload: { sd_hash: 5 } }), { keyBinding: KB_POLICY }),
        'ERR_SDJWT_KB_SD_HASH_MISMATCH',
      );
    });
    test('without KB, dropping or reordering Disclosures is a smaller valid presentation', async () => {
      const full = await base();
      const jwtPart = full.slice(0, full.indexOf('~'));
      const r = await verify(`${jwtPart}~${dFamily}~`);
      expect(r.claims).not.toHaveProperty('given_name');
      await expect(verify(`${jwtPart}~${dFamily}~${dName}~`)).resolves.toBeTruthy();
    });
    test('a KB-JWT under keyBinding: false is still checked, and proves nothing', async () => {
      const p = await base();
      await expectCode(
        verify(await withKb(p, { signer: other.signer })),
        'ERR_JOSE_SIGNATURE_INVALID',
      );
      await expectCode(
        verify(await withKb(p, { sdHashOf: `${p}x` })),
        'ERR_SDJWT_KB_SD_HASH_MISMATCH',
      );
      const ok = await verify(await withKb(p, { payload: { nonce: 'anything' } }));
      expect(ok.holderKey).toBeUndefined();
      expect(ok.keyBinding).toBeUndefined();
    });
    test('an expired KB-JWT is refused (§7.3 step 5.8)', async () => {
      await expectCode(
        verify(await withKb(await base(), { payload: { exp: NOW - 100 } }), {
          keyBinding: KB_POLICY,
        }),
        'ERR_JWT_EXPIRED',
      );
    });
    test('the policy must carry a non-empty nonce and aud', async () => {
      const p = await withKb(await base());
      await expectCode(verify(p, { keyBinding: { nonce: '', aud: AUD } }), 'ERR_INPUT_INVALID');
      await expectCode(
        verify(p, { keyBinding: undefined as unknown as false }),
        'ERR_INPUT_INVALID',
      );
    });
  });

  describe('holder side', () => {
    test('the holder still rejects a malformed SD-JWT without the issuer key', async () => {
      const p = await sdJwt({ _sd: [dig(dName)] }, [dName, dFamily]);
      expect(() => parseSdJwt(p)).toThrow(
        expect.objectContaining({ code: 'ERR_SDJWT_DISCLOSURE_UNREFERENCED' }),
      );
    });
    test('a path that does not exist is refused', async () => {
      const issued = await issueSdJwt(
        { a: SECRET },
        { signer: issuer.signer, typ: TYP, frame: { _sd: ['a'] } },
      );
      await expectCode(presentSdJwt(issued, { paths: [['b']] }), 'ERR_SDJWT_PATH_NOT_FOUND');
      await expectCode(presentSdJwt(issued, { paths: [['a', 'x']] }), 'ERR_SDJWT_PATH_NOT_FOUND');
    });
  });
});
