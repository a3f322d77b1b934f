/**
 * Property tests (fast-check):
 * - random claim trees with random frames round-trip issue → present(random paths) → verify, and
 *   the verifier sees exactly the selected claims (a spec of the selection semantics, written
 *   independently of the implementation: a disclosable claim is disclosed iff it is on a selected
 *   path or inside a selected claim);
 * - any single-character change to a presentation with key binding is rejected;
 * - random garbage, mutated presentations and signed random payloads with digest structures
 *   never produce anything but an OpenMidError, and never ERR_INTERNAL;
 * - work is linear: digest calls counted through a wrapping crypto provider.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { defaultCrypto } from '../crypto/default.js';
import type { CryptoProvider } from '../crypto/provider.js';
import { isOpenMidError } from '../errors/error.js';
import { b64uEncode, b64uEncodeText, utf8 } from '../internal/bytes.js';
import { signCompactJws } from '../jose/jws.js';
import { generateKeyPair, verifierFromJwk } from '../keys/index.js';
import { isPathPrefix } from './claim-path.js';
import { parseSdJwt, presentSdJwt } from './holder.js';
import { issueSdJwt } from './issue.js';
import type { DisclosureFrame } from './types.js';
import { verifySdJwt } from './verify.js';

const TYP = 'example+sd-jwt';
const NOW = 1_800_000_000;
const issuer = await generateKeyPair('ES256');
const holder = await generateKeyPair('ES256');
const issuerKey = await verifierFromJwk(issuer.publicJwk);
const KB = { nonce: 'nonce-1', aud: 'https://rp.example' };

/** A claim tree whose members and elements say whether they are disclosable. */
type Node =
  | { readonly kind: 'leaf'; readonly value: string | number | boolean | null }
  | { readonly kind: 'array'; readonly items: readonly { sd: boolean; node: Node }[] }
  | {
      readonly kind: 'object';
      readonly members: readonly { name: string; sd: boolean; node: Node }[];
    };

const NAMES = ['a', 'b', 'c', 'd', '__proto__', 'constructor', '한글', 'e f'];

const nodeArb = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('leaf' as const),
      value: fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean(), fc.constant(null)),
    }),
    fc.record({
      kind: fc.constant('array' as const),
      items: fc.array(fc.record({ sd: fc.boolean(), node: tie('node') }), { maxLength: 4 }),
    }),
    fc.record({
      kind: fc.constant('object' as const),
      members: fc.uniqueArray(
        fc.record({ name: fc.constantFrom(...NAMES), sd: fc.boolean(), node: tie('node') }),
        { maxLength: 4, selector: (m) => m.name },
      ),
    }),
  ),
})).node;

const rootArb = fc.record({
  kind: fc.constant('object' as const),
  members: fc.uniqueArray(
    fc.record({ name: fc.constantFrom(...NAMES), sd: fc.boolean(), node: nodeArb }),
    { maxLength: 5, selector: (m) => m.name },
  ),
});

function set(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** Claims and frame of a tree, and the full-view paths of its disclosable claims. */
function build(
  node: Node,
  at: (string | number)[],
  sdPaths: (string | number)[][],
): { value: unknown; frame?: Record<string, unknown> } {
  if (node.kind === 'leaf') return { value: node.value };
  const frame: Record<string, unknown> = {};
  const sd: (string | number)[] = [];
  if (node.kind === 'array') {
    const value = node.items.map((item, i) => {
      if (item.sd) {
        sd.push(i);
        sdPaths.push([...at, i]);
      }
      const b = build(item.node, [...at, i], sdPaths);
      if (b.frame) frame[String(i)] = b.frame;
      return b.value;
    });
    if (sd.length) frame['_sd'] = sd;
    return Object.keys(frame).length ? { value, frame } : { value };
  }
  const value: Record<string, unknown> = {};
  for (const m of node.members) {
    if (m.sd) {
      sd.push(m.name);
      sdPaths.push([...at, m.name]);
    }
    const b = build(m.node, [...at, m.name], sdPaths);
    set(value, m.name, b.value);
    if (b.frame) set(frame, m.name, b.frame);
  }
  if (sd.length) frame['_sd'] = sd;
  return Object.keys(frame).length ? { value, frame } : { value };
}

/** What a verifier must see: disclosable claims off every selected path and subtree are gone. */
function expected(
  node: Node,
  at: (string | number)[],
  chosen: readonly (string | number)[][],
): unknown {
  const disclosed = (p: (string | number)[]) =>
    chosen.some((c) => isPathPrefix(p, c) || isPathPrefix(c, p));
  if (node.kind === 'leaf') return node.value;
  if (node.kind === 'array') {
    const out: unknown[] = [];
    node.items.forEach((item, i) => {
      if (!item.sd || disclosed([...at, i])) out.push(expected(item.node, [...at, i], chosen));
    });
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const m of node.members)
    if (!m.sd || disclosed([...at, m.name]))
      set(out, m.name, expected(m.node, [...at, m.name], chosen));
  return out;
}

function assertOnlyOpenMidErrors(e: unknown): void {
  if (!isOpenMidError(e)) throw new Error(`not an OpenMidError: ${String(e)}`);
  if (e.code === 'ERR_INTERNAL') throw new Error(`ERR_INTERNAL: ${String(e.cause)}`);
}

describe('SD-JWT properties', () => {
  test('issue → present(random paths) → verify shows exactly the selected claims', async () => {
    await fc.assert(
      fc.asyncProperty(
        rootArb,
        fc.infiniteStream(fc.boolean()),
        fc.nat(3),
        async (root, picks, decoys) => {
          const sdPaths: (string | number)[][] = [];
          const { value, frame } = build(root, [], sdPaths);
          const claims = value as Record<string, unknown>;
          const fullFrame = { ...(frame ?? {}), _sd_decoy: decoys } as DisclosureFrame;
          const issued = await issueSdJwt(claims, {
            signer: issuer.signer,
            typ: TYP,
            frame: fullFrame,
          });
          const held = parseSdJwt(issued);
          expect(held.claims).toEqual(claims);
          expect(held.disclosable.map((d) => d.path)).toEqual(expect.arrayContaining(sdPaths));
          expect(held.disclosable.length).toBe(sdPaths.length);
          const it = picks[Symbol.iterator]();
          const chosen = sdPaths.filter(() => it.next().value === true);
          const vp = await presentSdJwt(held, { paths: chosen });
          const { claims: seen, disclosedPaths } = await verifySdJwt(vp, {
            typ: TYP,
            issuerKey,
            keyBinding: false,
            now: NOW,
          });
          expect(seen).toEqual(expected(root, [], chosen));
          expect(disclosedPaths.length).toBe(
            sdPaths.filter((p) => chosen.some((c) => isPathPrefix(p, c) || isPathPrefix(c, p)))
              .length,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  test('any single-character change to a presentation with key binding is rejected', async () => {
    const issued = await issueSdJwt(
      { a: 'x', b: { c: [1, 2] }, cnf: { jwk: holder.publicJwk } },
      { signer: issuer.signer, typ: TYP, frame: { _sd: ['a', 'b'], b: { c: { _sd: [0] } } } },
    );
    const vp = await presentSdJwt(issued, {
      paths: [['a'], ['b', 'c', 0]],
      keyBinding: { signer: holder.signer, ...KB, iat: NOW },
    });
    const policy = { typ: TYP, issuerKey, keyBinding: KB, now: NOW } as const;
    await expect(verifySdJwt(vp, policy)).resolves.toBeTruthy();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~=+/';
    await fc.assert(
      fc.asyncProperty(fc.nat(vp.length - 1), fc.constantFrom(...alphabet), async (i, c) => {
        fc.pre(vp[i] !== c);
        const mutated = vp.slice(0, i) + c + vp.slice(i + 1);
        const error = await verifySdJwt(mutated, policy).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeDefined();
        assertOnlyOpenMidErrors(error);
      }),
      { numRuns: 300 },
    );
  });

  test('random garbage and mutated presentations only ever raise coded errors', async () => {
    const issued = await issueSdJwt(
      { a: 'x', b: { c: [1, 2] }, cnf: { jwk: holder.publicJwk } },
      { signer: issuer.signer, typ: TYP, frame: { _sd: ['a', 'b'], b: { c: { _sd: [0, 1] } } } },
    );
    const parts = issued.split('~');
    const partArb = fc.oneof(
      fc.constantFrom(...parts),
      fc.string({ unit: fc.constantFrom(...'AZaz09-_.~'.split('')), maxLength: 60 }),
      fc.string({ maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(partArb, { maxLength: 8 }),
        fc.constantFrom('', '~'),
        async (ps, end) => {
          const input = ps.join('~') + end;
          const policy = { typ: TYP, issuerKey, keyBinding: KB, now: NOW };
          for (const run of [
            () => verifySdJwt(input, policy),
            () => verifySdJwt(input, { ...policy, keyBinding: false }),
            async () => parseSdJwt(input),
          ]) {
            await run().then(() => undefined, assertOnlyOpenMidErrors);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('signed payloads with random digest structures only ever raise coded errors', async () => {
    const pool = [
      b64uEncodeText(JSON.stringify(['s1', 'a', 1])),
      b64uEncodeText(JSON.stringify(['s2', 'b', { _sd: [] }])),
      b64uEncodeText(JSON.stringify(['s3', 2])),
      b64uEncodeText(JSON.stringify(['s4', '_sd', 2])),
      b64uEncodeText(JSON.stringify(['s5', [{ '...': 'x' }]])),
      b64uEncodeText('not json'),
    ];
    const digests = pool.map((d) => b64uEncode(defaultCrypto().digest('sha-256', utf8(d))));
    const digestArb = fc.constantFrom(...digests, 'AAAA');
    const valueArb = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.record({ '...': fc.oneof(digestArb, fc.integer()) }),
        fc.record({
          _sd: fc.oneof(fc.array(digestArb, { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
        }),
        fc.dictionary(fc.constantFrom('a', 'b', '_sd', '_sd_alg', '...', '__proto__'), tie('v'), {
          maxKeys: 3,
        }),
      ),
    })).v;
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('a', '_sd', '_sd_alg', 'cnf', 'exp', 'x'), valueArb, {
          maxKeys: 4,
        }),
        fc.subarray(pool),
        async (payload, disclosures) => {
          const jwt = await signCompactJws(payload, { typ: TYP, signer: issuer.signer });
          const input = `${jwt}~${disclosures.map((d) => `${d}~`).join('')}`;
          await verifySdJwt(input, { typ: TYP, issuerKey, keyBinding: false, now: NOW }).then(
            () => undefined,
            assertOnlyOpenMidErrors,
          );
          try {
            parseSdJwt(input);
          } catch (e) {
            assertOnlyOpenMidErrors(e);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('work is linear in the number of Disclosures', () => {
  function counting(): { crypto: CryptoProvider; digests: () => number } {
    const base = defaultCrypto();
    let n = 0;
    const crypto: CryptoProvider = {
      ...base,
      name: 'counting',
      generateKeyPair: base.generateKeyPair.bind(base),
      importPublicJwk: base.importPublicJwk.bind(base),
      importPrivateJwk: base.importPrivateJwk.bind(base),
      exportPrivateJwk: base.exportPrivateJwk.bind(base),
      sign: base.sign.bind(base),
      verify: base.verify.bind(base),
      randomBytes: base.randomBytes.bind(base),
      digest: (alg, data) => {
        n++;
        return base.digest(alg, data);
      },
      digestB64u: (alg, data) => {
        n++;
        return base.digestB64u(alg, data);
      },
    };
    return { crypto, digests: () => n };
  }

  test('an honest presentation costs one digest per Disclosure plus sd_hash', async () => {
    for (const n of [1, 4, 16, 64]) {
      const claims: Record<string, unknown> = { cnf: { jwk: holder.publicJwk } };
      for (let i = 0; i < n; i++) claims[`c${i}`] = i;
      const names = Object.keys(claims).filter((k) => k !== 'cnf');
      const issued = await issueSdJwt(claims, {
        signer: issuer.signer,
        typ: TYP,
        frame: { _sd: names },
      });
      const vp = await presentSdJwt(issued, {
        paths: names.map((k) => [k]),
        keyBinding: { signer: holder.signer, ...KB, iat: NOW },
      });
      const { crypto, digests } = counting();
      await verifySdJwt(vp, { typ: TYP, issuerKey, keyBinding: KB, now: NOW, crypto });
      expect(digests()).toBe(n + 1);
    }
  });

  test('a hostile input of n Disclosures costs at most n digests', async () => {
    for (const n of [8, 64, 256]) {
      const disclosures = Array.from({ length: n }, (_, i) =>
        b64uEncodeText(JSON.stringify([`s${i}`, `n${i}`, i])),
      );
      // Each Disclosure references the next: a chain the walk follows once, cut by the depth limit.
      const chained: string[] = [];
      let next = b64uEncodeText(JSON.stringify(['leaf', 'leaf', 0]));
      chained.push(next);
      for (let i = 1; i < n; i++) {
        const digest = b64uEncode(defaultCrypto().digest('sha-256', utf8(next)));
        next = b64uEncodeText(JSON.stringify([`t${i}`, `m${i}`, { _sd: [digest] }]));
        chained.push(next);
      }
      const top = b64uEncode(defaultCrypto().digest('sha-256', utf8(next)));
      for (const list of [disclosures, chained]) {
        const jwt = await signCompactJws({ _sd: [top] }, { typ: TYP, signer: issuer.signer });
        const { crypto, digests } = counting();
        const input = `${jwt}~${list.map((d) => `${d}~`).join('')}`;
        const error = await verifySdJwt(input, {
          typ: TYP,
          issuerKey,
          keyBinding: false,
          now: NOW,
          crypto,
          limits: { maxDisclosures: 256 },
        }).then(
          () => undefined,
          (e: unknown) => e,
        );
        // Short chains are valid; long ones hit the depth limit; unreferenced lists fail. Either way:
        if (error !== undefined) assertOnlyOpenMidErrors(error);
        expect(digests()).toBeLessThanOrEqual(n);
      }
    }
  });
});
