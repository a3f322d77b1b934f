/**
 * The sd-jwt-python round-trip cases (test/vectors/sd-jwt-python-testcases/*\/specification.yml):
 * `user_claims` marks disclosable members and elements with the YAML tag `!sd`; we turn that into
 * claims and a disclosure frame, issue, present the `holder_disclosed_claims` tree as claim paths,
 * verify, and expect `expect_verified_user_claims` plus `iss` (and `cnf` with key binding), as
 * the Python harness adds them. Every case is checked, with two adaptations:
 * - json_serialization_flattened / _general ask for the JWS JSON serialization, which OpenMID does
 *   not emit (RFC 9901 §8 makes it OPTIONAL); they run in compact form;
 * - header_mod puts `kid: 42` (a number) in the header; our JOSE layer refuses a non-string kid
 *   (ERR_JOSE_HEADER_INVALID, RFC 7515 §4.1.4), so the case uses `"42"`.
 */
import yaml from 'js-yaml';
import { describe, expect, test } from 'vitest';
import { isJsonObject } from '../internal/json.js';
import { generateKeyPair, verifierFromJwk } from '../keys/index.js';
import { presentSdJwt } from './holder.js';
import { issueSdJwt } from './issue.js';
import type { ClaimPath, DisclosureFrame } from './types.js';
import { verifySdJwt } from './verify.js';

const SD_KEY = '\u0000sd:';

/** A `!sd`-tagged scalar: as a mapping key it becomes a marked string, as a value it is resolved. */
class SdScalar {
  readonly raw: string;
  constructor(raw: string) {
    this.raw = raw;
  }
  get [Symbol.toStringTag](): string {
    return 'SdScalar';
  }
  toString(): string {
    return SD_KEY + this.raw;
  }
}

/** A `!sd`-tagged mapping or sequence (an array element made disclosable). */
class SdNode {
  readonly value: unknown;
  constructor(value: unknown) {
    this.value = value;
  }
}

const SCHEMA = yaml.DEFAULT_SCHEMA.extend([
  new yaml.Type('!sd', { kind: 'scalar', construct: (d: string) => new SdScalar(d ?? '') }),
  new yaml.Type('!sd', { kind: 'mapping', construct: (d: unknown) => new SdNode(d ?? {}) }),
  new yaml.Type('!sd', { kind: 'sequence', construct: (d: unknown) => new SdNode(d ?? []) }),
]);

interface Spec {
  readonly user_claims: Record<string, unknown>;
  readonly holder_disclosed_claims: unknown;
  readonly expect_verified_user_claims: Record<string, unknown>;
  readonly key_binding?: boolean;
  readonly extra_header_parameters?: Record<string, unknown>;
}

interface Built {
  readonly value: unknown;
  readonly frame: Record<string, unknown> | undefined;
}

function unwrap(node: unknown): { inner: unknown; sd: boolean } {
  if (node instanceof SdNode) return { inner: node.value, sd: true };
  if (node instanceof SdScalar) return { inner: yaml.load(node.raw), sd: true };
  return { inner: node, sd: false };
}

/** Claims and disclosure frame from a `!sd`-annotated tree. */
function build(node: unknown): Built {
  if (Array.isArray(node)) {
    const value: unknown[] = [];
    const frame: Record<string, unknown> = {};
    const sd: number[] = [];
    node.forEach((element, i) => {
      const { inner, sd: isSd } = unwrap(element);
      const built = build(inner);
      value.push(built.value);
      if (isSd) sd.push(i);
      if (built.frame) frame[String(i)] = built.frame;
    });
    if (sd.length > 0) frame['_sd'] = sd;
    return { value, frame: Object.keys(frame).length > 0 ? frame : undefined };
  }
  if (isJsonObject(node)) {
    const value: Record<string, unknown> = {};
    const frame: Record<string, unknown> = {};
    const sd: string[] = [];
    for (const [key, child] of Object.entries(node)) {
      const isSd = key.startsWith(SD_KEY);
      const name = isSd ? key.slice(SD_KEY.length) : key;
      const built = build(unwrap(child).inner);
      value[name] = built.value;
      if (isSd || unwrap(child).sd) sd.push(name);
      if (built.frame) frame[name] = built.frame;
    }
    if (sd.length > 0) frame['_sd'] = sd;
    return { value, frame: Object.keys(frame).length > 0 ? frame : undefined };
  }
  return { value: node, frame: undefined };
}

/** Claim paths of the `true` leaves of a holder tree (indices where the claims hold arrays). */
function holderPaths(tree: unknown, claims: unknown, at: (string | number)[] = []): ClaimPath[] {
  if (tree === true) return [at];
  const out: ClaimPath[] = [];
  if (Array.isArray(tree) && Array.isArray(claims)) {
    tree.forEach((t, i) => {
      out.push(...holderPaths(t, claims[i], [...at, i]));
    });
  } else if (isJsonObject(tree) && isJsonObject(claims)) {
    for (const [key, t] of Object.entries(tree))
      out.push(...holderPaths(t, claims[key], [...at, key]));
  }
  return out;
}

const files = import.meta.glob<string>(
  '../../test/vectors/sd-jwt-python-testcases/*/specification.yml',
  {
    query: '?raw',
    import: 'default',
    eager: true,
  },
);
const specs = Object.entries(files).map(([file, text]) => {
  const name = file.split('/').at(-2) as string;
  return [name, yaml.load(text, { schema: SCHEMA }) as Spec] as const;
});

const ISSUER = 'https://example.com/issuer';
const NOW = 1_700_000_000;
const issuer = await generateKeyPair('ES256');
const holder = await generateKeyPair('ES256');
const issuerVerifier = await verifierFromJwk(issuer.publicJwk);

describe('sd-jwt-python specification cases: issue → present → verify', () => {
  test('all 17 cases are loaded', () => {
    expect(specs.length).toBe(17);
  });

  test.each(specs)('%s', async (_name, spec) => {
    const { value, frame } = build(spec.user_claims);
    const claims = value as Record<string, unknown>;
    const kb = spec.key_binding === true;
    const payload = { iss: ISSUER, ...claims, ...(kb ? { cnf: { jwk: holder.publicJwk } } : {}) };
    const header = spec.extra_header_parameters;
    const issued = await issueSdJwt(payload, {
      signer: issuer.signer,
      typ: 'example+sd-jwt',
      ...(frame ? { frame: frame as DisclosureFrame } : {}),
      ...(header ? { header: { ...header, kid: String(header['kid']) } } : {}),
    });
    const presentation = await presentSdJwt(issued, {
      paths: holderPaths(spec.holder_disclosed_claims, claims),
      ...(kb
        ? {
            keyBinding: {
              signer: holder.signer,
              aud: 'https://example.com/verifier',
              nonce: '1234567890',
              iat: NOW,
            },
          }
        : {}),
    });
    const verified = await verifySdJwt(presentation, {
      typ: 'example+sd-jwt',
      issuerKey: issuerVerifier,
      now: NOW,
      keyBinding: kb ? { nonce: '1234567890', aud: 'https://example.com/verifier' } : false,
    });
    expect(verified.claims).toEqual({
      iss: ISSUER,
      ...spec.expect_verified_user_claims,
      ...(kb ? { cnf: { jwk: holder.publicJwk } } : {}),
    });
  });
});
