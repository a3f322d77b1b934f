/**
 * @module sd-jwt-vc/metadata
 * SD-JWT VC Type Metadata (draft-ietf-oauth-sd-jwt-vc "SD-JWT VC Type Metadata", "Display
 * Metadata", "Claim Metadata"): plain JSON-compatible types (profiles write documents as data), a
 * validator for untrusted documents, `extends` merging and resolution through a caller-supplied
 * loader (core never fetches), and the check of a credential against the `sd` and `mandatory`
 * rules of its type.
 */
import { isOpenMidError, OpenMidError } from '../errors/error.js';
import { fromUtf8 } from '../internal/bytes.js';
import { isJsonObject, parseJsonStrict } from '../internal/json.js';
import type { CryptoOptions } from '../keys/keys.js';
import { isClaimPath, selectClaims } from '../sd-jwt/claim-path.js';
import type { HeldSdJwt } from '../sd-jwt/holder.js';
import type { ClaimPath } from '../sd-jwt/types.js';
import { verifyIntegrity } from './integrity.js';

/** Whether the issuer must, may or must not make a claim selectively disclosable. */
export type SdRule = 'always' | 'allowed' | 'never';

/** Display of one claim in one locale (draft "Claim Display Metadata"). */
export interface ClaimDisplay {
  /** Language tag (RFC 5646), e.g. `ko-KR`. */
  readonly locale: string;
  readonly label: string;
  readonly description?: string;
}

/** Metadata of the claim(s) a path selects (draft "Claim Metadata"). */
export interface ClaimMetadata {
  /** Claim path as if every Disclosure were disclosed (draft "Claim Path"). */
  readonly path: ClaimPath;
  readonly display?: readonly ClaimDisplay[];
  /** The issuer must include the claim (default false). */
  readonly mandatory?: boolean;
  /** Default `allowed` (draft "Claim Selective Disclosure Metadata"). */
  readonly sd?: SdRule;
  /** Placeholder id in SVG templates: `[A-Za-z_][A-Za-z0-9_]*`, unique in the document. */
  readonly svg_id?: string;
}

/** An image reference of the `simple` rendering. */
export interface ImageMetadata {
  readonly uri: string;
  readonly 'uri#integrity'?: string;
  readonly alt_text?: string;
}

/** The `simple` rendering method. */
export interface SimpleRendering {
  readonly logo?: ImageMetadata;
  readonly background_image?: ImageMetadata;
  /** CSS color, e.g. `#12107c`. */
  readonly background_color?: string;
  readonly text_color?: string;
}

/** Properties an SVG template is optimised for. */
export interface SvgTemplateProperties {
  readonly orientation?: 'portrait' | 'landscape';
  readonly color_scheme?: 'light' | 'dark';
  readonly contrast?: 'normal' | 'high';
}

/** One SVG template of the `svg_templates` rendering method. */
export interface SvgTemplate {
  readonly uri: string;
  readonly 'uri#integrity'?: string;
  /** Required when there is more than one template. */
  readonly properties?: SvgTemplateProperties;
}

/** Rendering methods of a display entry (draft "Rendering Metadata"). */
export interface TypeRendering {
  readonly simple?: SimpleRendering;
  readonly svg_templates?: readonly SvgTemplate[];
}

/** Display of the type in one locale (draft "Display Metadata"). */
export interface TypeDisplay {
  readonly locale: string;
  readonly name: string;
  readonly description?: string;
  readonly rendering?: TypeRendering;
}

/**
 * A Type Metadata document (draft "Type Metadata Format"). Documents may carry members not
 * listed here; consumers ignore them.
 */
export interface TypeMetadata {
  readonly vct: string;
  readonly name?: string;
  readonly description?: string;
  readonly extends?: string;
  readonly 'extends#integrity'?: string;
  readonly display?: readonly TypeDisplay[];
  readonly claims?: readonly ClaimMetadata[];
}

/** Default cap on a Type Metadata document, in bytes. */
export const MAX_TYPE_METADATA_BYTES = 1_048_576;

const SVG_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

function bad(member: string, why: string): OpenMidError {
  return new OpenMidError('ERR_SDJWTVC_TYPE_METADATA_INVALID', `Type metadata ${member} ${why}`, {
    details: { member },
  });
}

function optString(o: Record<string, unknown>, key: string, at: string): void {
  if (o[key] !== undefined && typeof o[key] !== 'string')
    throw bad(`${at}${key}`, 'is not a string');
}

function reqString(o: Record<string, unknown>, key: string, at: string): void {
  if (typeof o[key] !== 'string' || o[key] === '')
    throw bad(`${at}${key}`, 'is not a non-empty string');
}

function objectAt(value: unknown, at: string): Record<string, unknown> {
  if (!isJsonObject(value)) throw bad(at, 'is not an object');
  return value;
}

function arrayAt(value: unknown, at: string): readonly unknown[] {
  if (!Array.isArray(value)) throw bad(at, 'is not an array');
  return value;
}

function checkEnum(o: Record<string, unknown>, key: string, values: string[], at: string): void {
  if (o[key] !== undefined && !values.includes(o[key] as string))
    throw bad(`${at}${key}`, `is not one of ${values.join(', ')}`);
}

function checkImage(value: unknown, at: string): void {
  const o = objectAt(value, at);
  reqString(o, 'uri', `${at}.`);
  optString(o, 'uri#integrity', `${at}.`);
  optString(o, 'alt_text', `${at}.`);
}

function checkRendering(value: unknown, at: string): void {
  const r = objectAt(value, at);
  if (r['simple'] !== undefined) {
    const s = objectAt(r['simple'], `${at}.simple`);
    if (s['logo'] !== undefined) checkImage(s['logo'], `${at}.simple.logo`);
    if (s['background_image'] !== undefined)
      checkImage(s['background_image'], `${at}.simple.background_image`);
    optString(s, 'background_color', `${at}.simple.`);
    optString(s, 'text_color', `${at}.simple.`);
  }
  if (r['svg_templates'] !== undefined) {
    const templates = arrayAt(r['svg_templates'], `${at}.svg_templates`);
    templates.forEach((t, i) => {
      const tat = `${at}.svg_templates[${i}]`;
      const o = objectAt(t, tat);
      reqString(o, 'uri', `${tat}.`);
      optString(o, 'uri#integrity', `${tat}.`);
      if (o['properties'] === undefined) {
        if (templates.length > 1)
          throw bad(`${tat}.properties`, 'is required with several templates');
        return;
      }
      const p = objectAt(o['properties'], `${tat}.properties`);
      checkEnum(p, 'orientation', ['portrait', 'landscape'], `${tat}.properties.`);
      checkEnum(p, 'color_scheme', ['light', 'dark'], `${tat}.properties.`);
      checkEnum(p, 'contrast', ['normal', 'high'], `${tat}.properties.`);
      if (!['orientation', 'color_scheme', 'contrast'].some((k) => p[k] !== undefined))
        throw bad(`${tat}.properties`, 'names no property');
    });
  }
}

function samePath(a: ClaimPath, b: ClaimPath): boolean {
  return a.length === b.length && a.every((c, i) => c === b[i]);
}

/**
 * Validate an untrusted Type Metadata document and return it typed. Unknown members are
 * ignored, as the draft requires; known members must have their specified form. With
 * `options.vct`, the document must describe that type (draft "Retrieving Type Metadata").
 *
 * @example
 * ```ts
 * const metadata = validateTypeMetadata(JSON.parse(text), { vct: 'urn:kr:mdl:1' })
 * ```
 * @see draft-ietf-oauth-sd-jwt-vc "Type Metadata Format", "Display Metadata", "Claim Metadata"
 */
export function validateTypeMetadata(
  document: unknown,
  options?: { readonly vct?: string },
): TypeMetadata {
  const doc = objectAt(document, 'document');
  reqString(doc, 'vct', '');
  if (options?.vct !== undefined && doc['vct'] !== options.vct)
    throw bad('vct', 'does not name the expected type');
  for (const key of ['name', 'description', 'extends', 'extends#integrity'])
    optString(doc, key, '');
  if (doc['display'] !== undefined) {
    arrayAt(doc['display'], 'display').forEach((d, i) => {
      const at = `display[${i}]`;
      const o = objectAt(d, at);
      reqString(o, 'locale', `${at}.`);
      reqString(o, 'name', `${at}.`);
      optString(o, 'description', `${at}.`);
      if (o['rendering'] !== undefined) checkRendering(o['rendering'], `${at}.rendering`);
    });
  }
  if (doc['claims'] !== undefined) {
    const svgIds = new Set<string>();
    const paths: ClaimPath[] = [];
    arrayAt(doc['claims'], 'claims').forEach((c, i) => {
      const at = `claims[${i}]`;
      const o = objectAt(c, at);
      const path = o['path'];
      if (!isClaimPath(path)) throw bad(`${at}.path`, 'is not a claim path');
      if (paths.some((p) => samePath(p, path))) throw bad(`${at}.path`, 'repeats another claim');
      paths.push(path);
      if (o['display'] !== undefined) {
        arrayAt(o['display'], `${at}.display`).forEach((d, j) => {
          const dat = `${at}.display[${j}]`;
          const od = objectAt(d, dat);
          reqString(od, 'locale', `${dat}.`);
          reqString(od, 'label', `${dat}.`);
          optString(od, 'description', `${dat}.`);
        });
      }
      if (o['mandatory'] !== undefined && typeof o['mandatory'] !== 'boolean')
        throw bad(`${at}.mandatory`, 'is not a boolean');
      checkEnum(o, 'sd', ['always', 'allowed', 'never'], `${at}.`);
      const svgId = o['svg_id'];
      if (svgId !== undefined) {
        if (typeof svgId !== 'string' || !SVG_ID.test(svgId))
          throw bad(`${at}.svg_id`, 'is not an identifier');
        if (svgIds.has(svgId)) throw bad(`${at}.svg_id`, 'is not unique');
        svgIds.add(svgId);
      }
    });
  }
  return doc as unknown as TypeMetadata;
}

/** Options of {@link parseTypeMetadata}. */
export interface ParseTypeMetadataOptions extends CryptoOptions {
  /** The integrity string that referenced the document (`vct#integrity`, `extends#integrity`). */
  readonly integrity?: string;
  /** The type the document must describe. */
  readonly vct?: string;
  /** Size cap in bytes (default 1 MiB). */
  readonly maxBytes?: number;
}

/**
 * Parse a Type Metadata document from the bytes as served: size cap, integrity over exactly those
 * bytes (before parsing), strict UTF-8 and JSON (no duplicate members), then validation.
 *
 * @see draft-ietf-oauth-sd-jwt-vc "Document Integrity"
 */
export function parseTypeMetadata(
  bytes: Uint8Array,
  options?: ParseTypeMetadataOptions,
): TypeMetadata {
  if (!(bytes instanceof Uint8Array)) throw bad('document', 'is not bytes');
  if (bytes.length > (options?.maxBytes ?? MAX_TYPE_METADATA_BYTES))
    throw bad('document', 'is too large');
  if (options?.integrity !== undefined) verifyIntegrity(bytes, options.integrity, options);
  const text = fromUtf8(bytes);
  if (text === undefined) throw bad('document', 'is not UTF-8');
  const parsed = parseJsonStrict(text);
  if (!parsed.ok) throw bad('document', 'is not strict JSON');
  return validateTypeMetadata(parsed.value, options?.vct === undefined ? {} : { vct: options.vct });
}

/**
 * Merge an extending type over the type it extends: claim metadata with the same path is
 * overridden, other claim metadata inherited. An `sd` of `always` or `never` may not change, and
 * `mandatory: true` may not become false (an omitted value inherits).
 *
 * @see draft-ietf-oauth-sd-jwt-vc "Extending Claim Metadata"
 */
export function mergeTypeMetadata(base: TypeMetadata, child: TypeMetadata): TypeMetadata {
  const claims: ClaimMetadata[] = [...(base.claims ?? [])];
  for (const c of child.claims ?? []) {
    const i = claims.findIndex((b) => samePath(b.path, c.path));
    if (i === -1) {
      claims.push(c);
      continue;
    }
    const b = claims[i] as ClaimMetadata;
    let merged: ClaimMetadata = c;
    if (b.sd === 'always' || b.sd === 'never') {
      if (c.sd !== undefined && c.sd !== b.sd)
        throw bad(`claims[${i}].sd`, 'changes an always or never rule of the extended type');
      merged = { ...merged, sd: b.sd };
    }
    if (b.mandatory === true) {
      if (c.mandatory === false)
        throw bad(`claims[${i}].mandatory`, 'drops a mandatory claim of the extended type');
      merged = { ...merged, mandatory: true };
    }
    claims[i] = merged;
  }
  const display = child.display ?? base.display;
  return {
    ...child,
    ...(display === undefined ? {} : { display }),
    ...(claims.length === 0 ? {} : { claims }),
  };
}

/** Options of {@link resolveTypeMetadata}. */
export interface ResolveTypeMetadataOptions extends CryptoOptions {
  /**
   * Loads the bytes of a type's metadata from the caller's source (a local cache, a registry, a
   * vetted fetcher). Core never fetches. A failure that is not an OpenMidError is reported as
   * `ERR_SDJWTVC_TYPE_METADATA_UNAVAILABLE`.
   */
  readonly load: (vct: string) => Promise<Uint8Array>;
  /** `vct#integrity` of the credential, checked against the first document. */
  readonly integrity?: string;
  /** Longest `extends` chain followed (default 8). */
  readonly maxDepth?: number;
}

/**
 * Resolve a type and the types it extends into one effective document: each document is checked
 * against the integrity string that referenced it and must describe the type it was loaded for;
 * a circular or too long `extends` chain is refused.
 *
 * @see draft-ietf-oauth-sd-jwt-vc "Extending Type Metadata", "Circular extends Dependencies"
 */
export async function resolveTypeMetadata(
  vct: string,
  options: ResolveTypeMetadataOptions,
): Promise<TypeMetadata> {
  const chain: TypeMetadata[] = [];
  const seen = new Set<string>();
  let next: string | undefined = vct;
  let integrity = options.integrity;
  const maxDepth = options.maxDepth ?? 8;
  while (next !== undefined) {
    if (seen.has(next)) throw bad('extends', 'is circular');
    if (chain.length > maxDepth) throw bad('extends', 'chain is too long');
    seen.add(next);
    const doc = parseTypeMetadata(await load(options, next), {
      vct: next,
      ...(integrity === undefined ? {} : { integrity }),
      ...(options.crypto === undefined ? {} : { crypto: options.crypto }),
    });
    chain.push(doc);
    next = doc.extends;
    integrity = doc['extends#integrity'];
  }
  let effective = chain[chain.length - 1] as TypeMetadata;
  for (let i = chain.length - 2; i >= 0; i--)
    effective = mergeTypeMetadata(effective, chain[i] as TypeMetadata);
  return effective;
}

async function load(options: ResolveTypeMetadataOptions, vct: string): Promise<Uint8Array> {
  try {
    return await options.load(vct);
  } catch (e) {
    if (isOpenMidError(e)) throw e;
    throw new OpenMidError(
      'ERR_SDJWTVC_TYPE_METADATA_UNAVAILABLE',
      'The type metadata could not be loaded',
      { cause: e },
    );
  }
}

/** A credential that breaks its type's `sd` or `mandatory` rule. */
export interface MetadataViolation {
  /** The concrete claim path (for `mandatory`, the metadata path). */
  readonly path: ClaimPath;
  /** `always`: not disclosable but must be; `never`: disclosable but must not be; `mandatory`: absent. */
  readonly rule: 'always' | 'never' | 'mandatory';
}

/**
 * List where an issued credential breaks the `sd` and `mandatory` rules of its type metadata: a
 * claim marked `always` that is not selectively disclosable, one marked `never` that is, or a
 * `mandatory` claim that is absent. An issuer runs it on what it is about to deliver
 * (`parseSdJwt(issued)`); every violation is an issuer error.
 *
 * @see draft-ietf-oauth-sd-jwt-vc "Claim Selective Disclosure Metadata", "Claim Mandatory Metadata"
 */
export function findMetadataViolations(
  credential: HeldSdJwt,
  metadata: TypeMetadata,
): MetadataViolation[] {
  const out: MetadataViolation[] = [];
  const disclosable = credential.disclosable.map((d) => d.path);
  for (const claim of metadata.claims ?? []) {
    const selected = selectClaims(credential.claims, claim.path);
    if (selected === undefined) {
      if (claim.mandatory === true) out.push({ path: claim.path, rule: 'mandatory' });
      continue;
    }
    if (claim.sd !== 'always' && claim.sd !== 'never') continue;
    for (const { path } of selected) {
      const isSd = disclosable.some((p) => samePath(p, path));
      if (claim.sd === 'always' && !isSd) out.push({ path, rule: 'always' });
      if (claim.sd === 'never' && isSd) out.push({ path, rule: 'never' });
    }
  }
  return out;
}

/** Throw `ERR_SDJWTVC_METADATA_VIOLATION` (details: the violations) if any rule is broken. */
export function assertMetadataRules(credential: HeldSdJwt, metadata: TypeMetadata): void {
  const violations = findMetadataViolations(credential, metadata);
  if (violations.length > 0)
    throw new OpenMidError(
      'ERR_SDJWTVC_METADATA_VIOLATION',
      'The credential breaks the sd or mandatory rules of its type metadata',
      { details: { violations } },
    );
}
