/**
 * Every checkable example of RFC 9901 (test/vectors/sd-jwt-rfc9901, clock pinned to the KB-JWT
 * iat 1748536865 of the examples):
 * - 5.1 issuance and A.1–A.4 issuances: issuer signature, holder processing;
 * - 5.2 and A.1–A.4 presentations: processed payload equals `expected_processed_payload`, KB-JWTs;
 * - 8.2 / 8.3 (JWS JSON serialization, an OPTIONAL format OpenMID does not accept on the wire) are
 *   checked by rebuilding the compact form the way RFC 9901 §8.1 computes `sd_hash`; of the two
 *   signatures in 8.3 only the first is checkable (the key `issuer-key-2` is not published).
 * Nothing is left unchecked.
 */
import { describe, expect, test } from 'vitest';
import v from '../../test/vectors/sd-jwt-rfc9901/examples.json' with { type: 'json' };
import { b64uDecodeText } from '../internal/bytes.js';
import { type Verifier, verifierFromJwk } from '../keys/index.js';
import { parseSdJwt } from './holder.js';
import { verifySdJwt } from './verify.js';

interface Example {
  readonly id: string;
  readonly sd_jwt_issuance?: unknown;
  readonly presentation?: unknown;
  readonly kb_jwt_payload?: { nonce: string; aud: string; iat: number; sd_hash: string };
  readonly expected_processed_payload?: Record<string, unknown>;
  readonly user_claims?: Record<string, unknown>;
}

const NOW = 1748536865;
const examples = v.examples as unknown as Example[];
const issuerKey: Verifier = await verifierFromJwk(v.keys.issuer_public_jwk);

function typOf(compact: string): string {
  return (
    JSON.parse(b64uDecodeText(compact.slice(0, compact.indexOf('.'))) as string) as {
      typ: string;
    }
  ).typ;
}

/** RFC 9901 §8.1: the compact form is protected.payload.signature ~ disclosures ~ [kb_jwt]. */
function compactFromJson(json: Record<string, unknown>): string {
  const sig = (Array.isArray(json['signatures']) ? json['signatures'][0] : json) as Record<
    string,
    unknown
  >;
  const header = sig['header'] as { disclosures?: string[]; kb_jwt?: string };
  const jwt = `${sig['protected'] as string}.${json['payload'] as string}.${sig['signature'] as string}`;
  return `${jwt}~${(header.disclosures ?? []).map((d) => `${d}~`).join('')}${header.kb_jwt ?? ''}`;
}

function compact(value: unknown): string {
  return typeof value === 'string' ? value : compactFromJson(value as Record<string, unknown>);
}

describe('RFC 9901 examples', () => {
  const presentations = examples.filter((e) => e.presentation !== undefined);
  test.each(presentations.map((e) => [e.id, e] as const))(
    '%s: the presentation verifies (RFC 9901 §7.1, §7.3)',
    async (_id, e) => {
      const presentation = compact(e.presentation);
      const kb = e.kb_jwt_payload;
      const result = await verifySdJwt(presentation, {
        typ: typOf(presentation),
        issuerKey,
        now: NOW,
        keyBinding: kb === undefined ? false : { nonce: kb.nonce, aud: kb.aud },
      });
      if (e.expected_processed_payload !== undefined)
        expect(result.claims).toEqual(e.expected_processed_payload);
      if (kb !== undefined) {
        expect(result.keyBinding?.payload).toEqual(kb);
        expect(result.holderKey).toMatchObject({ kty: 'EC', crv: 'P-256' });
      }
    },
  );

  test('8.2 and 8.3 disclose exactly family_name and given_name', async () => {
    for (const id of ['8.2 Flattened JSON Serialization', '8.3 General JSON Serialization']) {
      const e = examples.find((x) => x.id === id) as Example;
      const { claims } = await verifySdJwt(compact(e.presentation), {
        typ: 'example+sd-jwt',
        issuerKey,
        now: NOW,
        keyBinding: { nonce: '1234567890', aud: 'https://verifier.example.org' },
      });
      expect(claims).toMatchObject({ family_name: 'Doe', given_name: 'John' });
      expect(claims).not.toHaveProperty('birthdate');
    }
  });

  const issuances = examples.filter((e) => e.sd_jwt_issuance !== undefined);
  test.each(issuances.map((e) => [e.id, e] as const))(
    '%s: the issued SD-JWT verifies and the holder recovers every user claim',
    async (_id, e) => {
      const issued = compact(e.sd_jwt_issuance);
      const verified = await verifySdJwt(issued, {
        typ: typOf(issued),
        issuerKey,
        now: NOW,
        keyBinding: false,
      });
      const held = parseSdJwt(issued);
      expect(held.claims).toEqual(verified.claims);
      // Every user claim is disclosable or visible: the holder sees the full credential.
      if (e.user_claims !== undefined) expect(held.claims).toMatchObject(e.user_claims);
      expect(held.disclosable.length).toBe(verified.disclosedPaths.length);
    },
  );

  test('the holder refuses an SD-JWT+KB (RFC 9901 §7.2)', () => {
    const e = examples.find((x) => x.id === '5.2 Presentation') as Example;
    expect(() => parseSdJwt(e.presentation as string)).toThrow(
      expect.objectContaining({ code: 'ERR_SDJWT_KB_UNEXPECTED' }),
    );
  });
});
