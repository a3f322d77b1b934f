/**
 * @module jose/jws
 * Compact JWS (RFC 7515 §7.1) signing and strict verification. Hand-written rather than taken
 * from a general JOSE library because verification is the hot path (ADR 002) and because every
 * check below is a SECURITY.md rule with its own stable code:
 *
 * - size capped, and `.` counted, before any split or decode;
 * - strict unpadded base64url; header and payload strict JSON objects (no duplicate members);
 * - `alg` on an allow-list and equal to the trusted key's algorithm (never `none`, never a MAC);
 * - explicit `typ` for every token kind (RFC 8725 §3.11), compared as a media type (RFC 7515 §4.1.9);
 * - `crit` only with understood extensions; `b64: false` (RFC 7797) refused;
 * - the key never comes from the token (`jwk`, `jku`, `x5u`, `x5c` are ignored): the caller resolves it;
 * - signature length and ECDSA r, s ranges checked before verification.
 */
import type { SigAlg } from '../crypto/provider.js';
import { OpenMidError } from '../errors/error.js';
import { b64uDecode, b64uEncode, b64uEncodeText, fromUtf8, utf8 } from '../internal/bytes.js';
import { isJsonObject, parseJsonStrict } from '../internal/json.js';
import type { Signer, Verifier } from '../keys/keys.js';
import { isWellFormedSignature } from '../keys/signature.js';

/** Default cap on a compact JWS, checked before parsing (64 KiB). */
export const DEFAULT_MAX_JWS_LENGTH = 65_536;

/** A JOSE header as received (validated members typed). */
export interface JwsHeader {
  readonly alg: SigAlg;
  readonly typ?: string;
  readonly kid?: string;
  readonly [member: string]: unknown;
}

/** Resolves the trusted verification key for a token, from its validated header and payload. */
export type KeyResolver = (
  header: JwsHeader,
  payload: Record<string, unknown>,
) => Verifier | Promise<Verifier>;

/** Options of {@link verifyCompactJws}. */
export interface VerifyJwsOptions {
  /** Expected explicit type, e.g. `kb+jwt`. Required: a token of one kind is never another. */
  readonly typ: string;
  /** The trusted key, or a resolver that picks it from trusted configuration (never from the token). */
  readonly key: Verifier | KeyResolver;
  /** Allowed algorithms (default: ES256 and EdDSA). */
  readonly algorithms?: readonly SigAlg[];
  /** Maximum token length in characters (default {@link DEFAULT_MAX_JWS_LENGTH}). */
  readonly maxLength?: number;
  /** Header parameters this caller understands when listed in `crit` (default: none). */
  readonly understoodCrit?: readonly string[];
}

/** A verified compact JWS. */
export interface VerifiedJws {
  readonly header: JwsHeader;
  readonly payload: Record<string, unknown>;
  /** The key that verified the signature. */
  readonly verifier: Verifier;
}

/** A decoded but NOT verified compact JWS (for holders inspecting their own credentials). */
export interface DecodedJws {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly signature: Uint8Array;
  readonly signingInput: string;
}

const DEFAULT_ALGS: readonly SigAlg[] = ['ES256', 'EdDSA'];

/** Normalise a media type for comparison (RFC 7515 §4.1.9: case-insensitive, `application/` optional). */
export function normaliseTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice(12) : lower;
}

function jsonPart(
  token: string,
  start: number,
  end: number,
  what: string,
): Record<string, unknown> {
  const bytes = b64uDecode(token, start, end);
  if (bytes === undefined)
    throw new OpenMidError('ERR_JOSE_BASE64URL_INVALID', `The JWS ${what} is not base64url`);
  const text = fromUtf8(bytes);
  if (text === undefined)
    throw new OpenMidError('ERR_JOSE_JSON_INVALID', `The JWS ${what} is not UTF-8`);
  const parsed = parseJsonStrict(text);
  if (!parsed.ok) {
    throw parsed.reason === 'duplicate'
      ? new OpenMidError('ERR_JOSE_JSON_DUPLICATE_MEMBER', `The JWS ${what} has a duplicate member`)
      : new OpenMidError('ERR_JOSE_JSON_INVALID', `The JWS ${what} is not valid JSON`);
  }
  if (!isJsonObject(parsed.value))
    throw new OpenMidError('ERR_JOSE_JSON_INVALID', `The JWS ${what} is not a JSON object`);
  return parsed.value;
}

/** Split positions of a compact JWS, after the size and dot-count checks. */
function splitCompact(token: string, maxLength: number): [number, number] {
  if (typeof token !== 'string')
    throw new OpenMidError('ERR_JOSE_MALFORMED', 'A compact JWS must be a string');
  if (token.length > maxLength)
    throw new OpenMidError('ERR_JOSE_TOO_LARGE', 'The JWS exceeds the size limit');
  const d1 = token.indexOf('.');
  const d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
  if (d1 <= 0 || d2 <= d1 + 1 || d2 === token.length - 1 || token.indexOf('.', d2 + 1) !== -1) {
    throw new OpenMidError('ERR_JOSE_MALFORMED', 'A compact JWS has exactly three non-empty parts');
  }
  return [d1, d2];
}

interface HeaderPolicy {
  readonly typ?: string | undefined;
  readonly algorithms?: readonly SigAlg[] | undefined;
  readonly understoodCrit?: readonly string[] | undefined;
}

function checkHeader(header: Record<string, unknown>, options: HeaderPolicy): JwsHeader {
  const alg = header['alg'];
  const allowed = options.algorithms ?? DEFAULT_ALGS;
  if (typeof alg !== 'string' || !(allowed as readonly string[]).includes(alg)) {
    throw new OpenMidError('ERR_JOSE_ALG_NOT_ALLOWED', 'The JWS alg is not allowed');
  }
  const typ = header['typ'];
  if (
    options.typ !== undefined &&
    (typeof typ !== 'string' || normaliseTyp(typ) !== normaliseTyp(options.typ))
  ) {
    throw new OpenMidError('ERR_JOSE_TYP_MISMATCH', `Expected a token of type ${options.typ}`);
  }
  if ('crit' in header) {
    const crit = header['crit'];
    const understood = options.understoodCrit ?? [];
    if (
      !Array.isArray(crit) ||
      crit.length === 0 ||
      !crit.every((c) => typeof c === 'string' && understood.includes(c) && c in header)
    ) {
      throw new OpenMidError(
        'ERR_JOSE_CRIT_UNSUPPORTED',
        'The JWS lists a critical extension that is not understood',
      );
    }
  }
  if ('b64' in header)
    throw new OpenMidError('ERR_JOSE_HEADER_INVALID', 'Unencoded payloads (b64) are not supported');
  if ('kid' in header && typeof header['kid'] !== 'string') {
    throw new OpenMidError('ERR_JOSE_HEADER_INVALID', 'The JWS kid must be a string');
  }
  return header as JwsHeader;
}

/**
 * Verify a compact JWS against a trusted key and return its header and payload.
 *
 * @example
 * ```ts
 * const { payload } = await verifyCompactJws(token, { typ: 'statuslist+jwt', key: issuerVerifier })
 * ```
 * @see RFC 7515 §5.2, RFC 8725 §3
 */
export async function verifyCompactJws(
  token: string,
  options: VerifyJwsOptions,
): Promise<VerifiedJws> {
  const [d1, d2] = splitCompact(token, options.maxLength ?? DEFAULT_MAX_JWS_LENGTH);
  const header = checkHeader(jsonPart(token, 0, d1, 'header'), options);
  const payload = jsonPart(token, d1 + 1, d2, 'payload');
  const verifier =
    typeof options.key === 'function' ? await options.key(header, payload) : options.key;
  await checkSignature(token, d2, header, verifier);
  return { header, payload, verifier };
}

async function checkSignature(
  token: string,
  d2: number,
  header: JwsHeader,
  verifier: Verifier,
): Promise<void> {
  if (verifier.alg !== header.alg) {
    throw new OpenMidError(
      'ERR_JOSE_ALG_NOT_ALLOWED',
      'The JWS alg does not match the trusted key',
    );
  }
  const signature = b64uDecode(token, d2 + 1);
  if (signature === undefined)
    throw new OpenMidError('ERR_JOSE_BASE64URL_INVALID', 'The JWS signature is not base64url');
  if (!isWellFormedSignature(header.alg, signature)) {
    throw new OpenMidError('ERR_JOSE_SIGNATURE_MALFORMED', 'The JWS signature is malformed');
  }
  if (!(await verifier.verify(utf8(token.slice(0, d2)), signature))) {
    throw new OpenMidError('ERR_JOSE_SIGNATURE_INVALID', 'The JWS signature does not verify');
  }
}

/**
 * Verify only the JWS layer of a compact token whose payload need not be JSON (used for generic
 * JWS conformance vectors). Same header and signature rules as {@link verifyCompactJws}; `typ` is
 * checked when given.
 */
export async function verifyCompactJwsBytes(
  token: string,
  options: Omit<VerifyJwsOptions, 'typ' | 'key'> & {
    readonly typ?: string;
    readonly key: Verifier;
  },
): Promise<{ readonly header: JwsHeader; readonly payload: Uint8Array }> {
  const [d1, d2] = splitCompact(token, options.maxLength ?? DEFAULT_MAX_JWS_LENGTH);
  const header = checkHeader(jsonPart(token, 0, d1, 'header'), options);
  const payload = b64uDecode(token, d1 + 1, d2);
  if (payload === undefined)
    throw new OpenMidError('ERR_JOSE_BASE64URL_INVALID', 'The JWS payload is not base64url');
  await checkSignature(token, d2, header, options.key);
  return { header, payload };
}

/**
 * Decode a compact JWS without verifying it. Only for a holder reading its own credential or a
 * verifier choosing which trusted key to use; never a basis for trust.
 */
export function decodeCompactJws(
  token: string,
  maxLength: number = DEFAULT_MAX_JWS_LENGTH,
): DecodedJws {
  const [d1, d2] = splitCompact(token, maxLength);
  const header = jsonPart(token, 0, d1, 'header');
  const payload = jsonPart(token, d1 + 1, d2, 'payload');
  const signature = b64uDecode(token, d2 + 1);
  if (signature === undefined)
    throw new OpenMidError('ERR_JOSE_BASE64URL_INVALID', 'The JWS signature is not base64url');
  return { header, payload, signature, signingInput: token.slice(0, d2) };
}

/** Options of {@link signCompactJws}. */
export interface SignJwsOptions {
  /** Explicit type of the token (always set: SECURITY.md "Explicit typ on every token kind"). */
  readonly typ: string;
  readonly signer: Signer;
  /** Extra protected header members (e.g. `x5c`); `alg`, `typ` and `kid` are set from the signer. */
  readonly header?: Readonly<Record<string, unknown>>;
}

/**
 * Sign a JSON payload as a compact JWS. The header is `{alg, typ, kid?, ...header}` with `alg`
 * always the signer's.
 */
export async function signCompactJws(
  payload: Readonly<Record<string, unknown>>,
  options: SignJwsOptions,
): Promise<string> {
  const { signer } = options;
  const header: Record<string, unknown> = { alg: signer.alg, typ: options.typ };
  if (signer.kid !== undefined) header['kid'] = signer.kid;
  if (options.header) {
    for (const [k, v] of Object.entries(options.header)) if (k !== 'alg') header[k] = v;
  }
  const signingInput = `${b64uEncodeText(JSON.stringify(header))}.${b64uEncodeText(JSON.stringify(payload))}`;
  const signature = await signer.sign(utf8(signingInput));
  return `${signingInput}.${b64uEncode(signature)}`;
}
