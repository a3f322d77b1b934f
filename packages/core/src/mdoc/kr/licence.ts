/**
 * @module mdoc/kr/licence
 * The Korean mobile driving licence (모바일 운전면허증) as an ISO/IEC 18013-5 mDL: the same register
 * record that becomes the SD-JWT VC (`profiles/kr`, type `driving-licence`) mapped to data
 * elements of the `org.iso.18013.5.1` namespace, plus the Korean-only elements in
 * {@link KR_MDL_NAMESPACE}. The core does not import the profile; it takes the profile's subject
 * claims as a plain object ({@link KoreanLicenceClaims}) and validates what it uses.
 *
 * Mapping (`org.iso.18013.5.1`, §7.2.1):
 * | element | from |
 * | --- | --- |
 * | family_name, given_name | romanised name (Latin-1): register spelling, else family-name table + RR |
 * | family_name_national_character, given_name_national_character | Hangul name, split (see `names.ts`) |
 * | birth_date, issue_date | `birth_date`, `issue_date` as full-date |
 * | expiry_date | `aptitude_test_period.end`: the card must be renewed by then (도로교통법 §87) |
 * | issuing_country / un_distinguishing_sign | `KR` / `ROK` (Vienna Convention sign of Korea) |
 * | issuing_authority | English name of the 시·도경찰청 in `issuing_authority` (Latin-1 required) |
 * | document_number | `licence_number` (RR-YY-NNNNNN-CD) |
 * | portrait | the image bytes of the `portrait` data URI |
 * | driving_privileges | the classes mapped to 18013-1 categories ({@link KR_VEHICLE_CATEGORIES}), with condition codes |
 * | age_over_NN, age_birth_year | 만 나이 on the KST day of issuance, as the profile computes them |
 *
 * `kr.openmid.mdl.1` (Korean-only): `name` (Hangul, as printed), `rrn`, `address` (road-name,
 * Hangul), `licence_classes` (Korean class names), `aptitude_test_period` ({start, end}
 * full-dates), `conditions`, `serial` (암호일련번호), `issuing_authority` (Korean), and
 * `portrait_media_type` when the portrait is not JPEG (18013-5 §7.2.2 expects JPEG or JPEG 2000).
 * Left out: `sex` (not printed on the card, and derivable from `rrn` for those entitled to it),
 * `resident_address` (must be Latin-1) and `issuing_jurisdiction` (not needed; see ADR 006).
 */
import { OpenMidError } from '../../errors/error.js';
import { b64uDecode, b64uEncode, utf8 } from '../../internal/bytes.js';
import { defineOwn, isJsonObject } from '../../internal/json.js';
import { CborTag, type CborValue } from '../cbor/types.js';
import { fullDate, isFullDate } from '../values.js';
import { isLatin1Name, romaniseHangul, romaniseKoreanName, splitKoreanName } from './names.js';

/** The mDL document type (18013-5 §7.1). */
export const MDL_DOCTYPE = 'org.iso.18013.5.1.mDL';
/** The ISO mDL namespace (18013-5 §7.1). */
export const MDL_NAMESPACE = 'org.iso.18013.5.1';
/**
 * Namespace of the Korean-only elements. Reverse-domain form as 18013-5 §7.1 asks; a deployment
 * by the National Police Agency would use its own domain (e.g. `kr.go.police.mdl.1`) — pass
 * `namespace` to {@link koreanLicenceToMdl}.
 */
export const KR_MDL_NAMESPACE = 'kr.openmid.mdl.1';

/**
 * Korean licence classes (도로교통법 §80 ②) → ISO/IEC 18013-1 Annex B vehicle categories, for
 * readers abroad. The table follows what the holder may drive under 도로교통법 시행규칙 별표 18 and
 * maps DOWN where a Korean class is wider than one category and narrower than the next (never
 * granting abroad what the class does not grant at home):
 * - 1종대형: cars, buses and lorries of any size → B, C1, C, D1, D;
 * - 1종보통: cars, lorries ≤ 12 t, buses ≤ 15 seats → B, C1, D1;
 * - 1종소형: three-wheeled vehicles → B1;
 * - 1종특수 대형견인차 / 소형견인차: towing → CE / BE; 구난차 (recovery vehicle) → C;
 * - 2종보통: cars ≤ 10 seats, lorries ≤ 4 t → B;
 * - 2종소형: motorcycles → A (and A1);
 * - 2종원동기장치자전거: motorcycles ≤ 125 cc (electric ≤ 11 kW) → A1.
 */
export const KR_VEHICLE_CATEGORIES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  '1종대형': ['B', 'C1', 'C', 'D1', 'D'],
  '1종보통': ['B', 'C1', 'D1'],
  '1종소형': ['B1'],
  '1종특수(대형견인차)': ['CE'],
  '1종특수(소형견인차)': ['BE'],
  '1종특수(구난차)': ['C'],
  '2종보통': ['B'],
  '2종소형': ['A1', 'A'],
  '2종원동기장치자전거': ['A1'],
});

/** Order in which categories are listed (18013-1 Annex B). */
const CATEGORY_ORDER = [
  'AM',
  'A1',
  'A2',
  'A',
  'B1',
  'B',
  'C1',
  'C',
  'D1',
  'D',
  'BE',
  'C1E',
  'CE',
  'D1E',
  'DE',
];

/**
 * Korean licence conditions (조건) → harmonised restriction codes of ISO/IEC 18013-2 Annex A
 * (the EU codes: 78 automatic transmission only, 02 hearing aid). Conditions without a code stay
 * in the Korean namespace only.
 */
export const KR_CONDITION_CODES: Readonly<Record<string, string>> = Object.freeze({
  자동변속기: '78',
  '자동변속기 한정': '78',
  '보청기 착용': '02',
  보청기: '02',
});

/** English names of the 시·도경찰청 that issue licences (by the prefix before 경찰청장). */
export const KR_POLICE_AGENCIES: Readonly<Record<string, string>> = Object.freeze({
  서울: 'Seoul Metropolitan Police Agency',
  부산: 'Busan Metropolitan Police Agency',
  대구: 'Daegu Metropolitan Police Agency',
  인천: 'Incheon Metropolitan Police Agency',
  광주: 'Gwangju Metropolitan Police Agency',
  대전: 'Daejeon Metropolitan Police Agency',
  울산: 'Ulsan Metropolitan Police Agency',
  세종: 'Sejong Police Agency',
  경기남부: 'Gyeonggi Nambu Provincial Police Agency',
  경기북부: 'Gyeonggi Bukbu Provincial Police Agency',
  강원: 'Gangwon Provincial Police Agency',
  충북: 'Chungbuk Provincial Police Agency',
  충남: 'Chungnam Provincial Police Agency',
  전북: 'Jeonbuk Provincial Police Agency',
  전남: 'Jeonnam Provincial Police Agency',
  경북: 'Gyeongbuk Provincial Police Agency',
  경남: 'Gyeongnam Provincial Police Agency',
  제주: 'Jeju Provincial Police Agency',
});

/**
 * The claims the mapping reads: the SD-JWT VC subject claims of the profile's `driving-licence`
 * type (as `buildSubjectClaims` returns them), plus optional register fields for the name.
 */
export interface KoreanLicenceClaims {
  /** Hangul full name, family name first (홍길동), or a Latin `FAMILY GIVEN` name. */
  readonly name: string;
  readonly rrn?: string;
  /** `YYYY-MM-DD`. */
  readonly birth_date: string;
  readonly address?: string;
  /** `RR-YY-NNNNNN-CD`. */
  readonly licence_number: string;
  /** Korean class names, e.g. `['1종보통']`. */
  readonly licence_classes: readonly string[];
  readonly aptitude_test_period: { readonly start: string; readonly end: string };
  readonly conditions?: readonly string[];
  readonly serial?: string;
  readonly issue_date: string;
  /** e.g. `서울경찰청장`. */
  readonly issuing_authority: string;
  /** A `data:image/...` URI. */
  readonly portrait: string;
  readonly age_over_14?: boolean;
  readonly age_over_19?: boolean;
  readonly age_over_65?: boolean;
  /** Register fields (optional): the Hangul family name, and the passport spelling. */
  readonly family_name?: string;
  readonly family_name_latin?: string;
  readonly given_name_latin?: string;
}

/** Options of {@link koreanLicenceToMdl}. */
export interface KoreanMdlOptions {
  /** Issuance instant (seconds or Date); ages are stated for its KST calendar day. */
  readonly issuedAt: number | Date;
  /** `age_over_NN` elements to state (default 14, 18, 19, 21, 65). */
  readonly ageThresholds?: readonly number[];
  /** Namespace of the Korean-only elements (default {@link KR_MDL_NAMESPACE}). */
  readonly namespace?: string;
}

/** The elements of one mDL, ready for `issueMdoc`. */
export interface KoreanMdl {
  readonly docType: string;
  readonly nameSpaces: ReadonlyMap<string, ReadonlyMap<string, CborValue>>;
}

function invalid(claims: readonly string[]): OpenMidError {
  // Claim names only: values are personal data.
  return new OpenMidError(
    'ERR_MDOC_CLAIMS_INVALID',
    'The licence claims cannot be mapped to an mDL',
    { details: { claims } },
  );
}

const KST_OFFSET = 9 * 3600;

function kstDay(issuedAt: number | Date): string {
  const seconds = issuedAt instanceof Date ? issuedAt.getTime() / 1000 : issuedAt;
  if (!Number.isFinite(seconds)) throw new OpenMidError('ERR_INPUT_INVALID', 'issuedAt is invalid');
  return new Date((Math.floor(seconds) + KST_OFFSET) * 1000).toISOString().slice(0, 10);
}

/** 만 나이 on `day` (민법 §158: a 29 February birthday counts on 1 March in other years). */
export function koreanAge(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

interface DataUri {
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

function parseDataUri(uri: string): DataUri | undefined {
  const m = /^data:(image\/[a-z0-9.+-]+)(;base64)?,(.*)$/s.exec(uri);
  if (m === null) return undefined;
  const data = m[3] as string;
  if (m[2] === undefined) {
    try {
      return { mediaType: m[1] as string, bytes: utf8(decodeURIComponent(data)) };
    } catch {
      return undefined;
    }
  }
  const b64u = data.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const bytes = b64uDecode(b64u);
  return bytes === undefined ? undefined : { mediaType: m[1] as string, bytes };
}

function policeAgencyName(authority: string): string {
  const prefix = authority
    .replace(/경찰청장$/, '')
    .replace(/(특별시|광역시|특별자치시|특별자치도|도)$/, '');
  const known = KR_POLICE_AGENCIES[prefix];
  if (known !== undefined) return known;
  const r = romaniseHangul(prefix);
  return `${r.charAt(0)}${r.slice(1).toLowerCase()} Police Agency`;
}

function str(
  c: Record<string, unknown>,
  name: string,
  bad: string[],
  required = true,
): string | undefined {
  const v = c[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 1024) {
    bad.push(name);
    return undefined;
  }
  return v;
}

/**
 * Map the Korean licence claims to the mDL data elements.
 *
 * @throws OpenMidError `ERR_MDOC_CLAIMS_INVALID` with `details.claims` (names only) when a claim
 *   is missing or malformed, a class or date is unknown, a romanised name is not Latin-1, or a
 *   given `age_over_NN` contradicts the birth date at issuance; `ERR_INPUT_INVALID` for options.
 * @example
 * ```ts
 * const { docType, nameSpaces } = koreanLicenceToMdl(subjectClaims, { issuedAt: now })
 * await issueMdoc({ docType, nameSpaces, deviceKey, signer, certificate, validity })
 * ```
 */
export function koreanLicenceToMdl(claims: unknown, options: KoreanMdlOptions): KoreanMdl {
  if (!isJsonObject(claims)) throw invalid(['*']);
  const c = claims;
  const bad: string[] = [];
  const name = str(c, 'name', bad);
  const birth = str(c, 'birth_date', bad);
  const number = str(c, 'licence_number', bad);
  const issueDate = str(c, 'issue_date', bad);
  const authority = str(c, 'issuing_authority', bad);
  const portraitUri = str(c, 'portrait', bad);
  const rrn = str(c, 'rrn', bad, false);
  const address = str(c, 'address', bad, false);
  const serial = str(c, 'serial', bad, false);
  for (const [n, v] of [
    ['birth_date', birth],
    ['issue_date', issueDate],
  ] as const) {
    if (v !== undefined && !isFullDate(v)) bad.push(n);
  }
  const classes = c['licence_classes'];
  if (
    !Array.isArray(classes) ||
    classes.length === 0 ||
    !classes.every((k) => typeof k === 'string' && KR_VEHICLE_CATEGORIES[k] !== undefined)
  )
    bad.push('licence_classes');
  const period = c['aptitude_test_period'];
  if (!isJsonObject(period) || !isFullDate(period['start']) || !isFullDate(period['end']))
    bad.push('aptitude_test_period');
  const conditions = c['conditions'];
  if (
    conditions !== undefined &&
    (!Array.isArray(conditions) || !conditions.every((x) => typeof x === 'string' && x.length > 0))
  )
    bad.push('conditions');
  const portrait = portraitUri === undefined ? undefined : parseDataUri(portraitUri);
  if (portraitUri !== undefined && portrait === undefined) bad.push('portrait');
  if (number !== undefined && !isLatin1Name(number)) bad.push('licence_number');
  if (bad.length > 0) throw invalid(bad);

  // Names: Hangul parts and their Latin-1 form.
  const familyHint = typeof c['family_name'] === 'string' ? c['family_name'] : undefined;
  const parts = splitKoreanName(name as string, familyHint);
  const romanised = romaniseKoreanName(parts);
  const familyLatin =
    typeof c['family_name_latin'] === 'string' ? c['family_name_latin'] : romanised.family;
  const givenLatin =
    typeof c['given_name_latin'] === 'string' ? c['given_name_latin'] : romanised.given;
  if (!isLatin1Name(familyLatin) || familyLatin.length === 0) bad.push('family_name_latin');
  if (!isLatin1Name(givenLatin)) bad.push('given_name_latin');

  // Ages on the KST day of issuance, consistent with the profile's age_over_NN claims.
  const day = kstDay(options.issuedAt);
  const age = koreanAge(birth as string, day);
  const thresholds = options.ageThresholds ?? [14, 18, 19, 21, 65];
  if (!thresholds.every((t) => Number.isInteger(t) && t > 0 && t < 100))
    throw new OpenMidError('ERR_INPUT_INVALID', 'age thresholds must be 1 to 99');
  for (const t of [14, 19, 65]) {
    const given = c[`age_over_${t}`];
    if (given !== undefined && given !== age >= t) bad.push(`age_over_${t}`);
  }
  if (bad.length > 0) throw invalid(bad);

  const krClasses = classes as string[];
  const codes = ((conditions as string[] | undefined) ?? [])
    .map((x) => KR_CONDITION_CODES[x])
    .filter((x): x is string => x !== undefined);
  const categories = CATEGORY_ORDER.filter((cat) =>
    krClasses.some((k) => (KR_VEHICLE_CATEGORIES[k] as readonly string[]).includes(cat)),
  );
  const privileges: CborValue[] = categories.map(
    (cat) =>
      new Map<string, CborValue>([
        ['vehicle_category_code', cat],
        ...(codes.length === 0
          ? []
          : [
              ['codes', [...new Set(codes)].map((code) => new Map([['code', code]]))] as [
                string,
                CborValue,
              ],
            ]),
      ]),
  );
  const p = period as { start: string; end: string };
  const iso = new Map<string, CborValue>([
    ['family_name', familyLatin],
    ['given_name', givenLatin],
    ['family_name_national_character', parts.family],
    ['given_name_national_character', parts.given],
    ['birth_date', fullDate(birth as string)],
    ['issue_date', fullDate(issueDate as string)],
    ['expiry_date', fullDate(p.end)],
    ['issuing_country', 'KR'],
    ['issuing_authority', policeAgencyName(authority as string)],
    ['document_number', number as string],
    ['portrait', (portrait as DataUri).bytes],
    ['driving_privileges', privileges],
    ['un_distinguishing_sign', 'ROK'],
    ['age_birth_year', Number((birth as string).slice(0, 4))],
  ]);
  for (const t of [...new Set(thresholds)].sort((a, b) => a - b))
    iso.set(`age_over_${String(t).padStart(2, '0')}`, age >= t);
  const kr = new Map<string, CborValue>([['name', name as string]]);
  if (rrn !== undefined) kr.set('rrn', rrn);
  if (address !== undefined) kr.set('address', address);
  kr.set('licence_classes', [...krClasses]);
  kr.set(
    'aptitude_test_period',
    new Map<string, CborValue>([
      ['start', fullDate(p.start)],
      ['end', fullDate(p.end)],
    ]),
  );
  if (conditions !== undefined) kr.set('conditions', [...(conditions as string[])]);
  if (serial !== undefined) kr.set('serial', serial);
  kr.set('issuing_authority', authority as string);
  const mediaType = (portrait as DataUri).mediaType;
  if (mediaType !== 'image/jpeg') kr.set('portrait_media_type', mediaType);
  return {
    docType: MDL_DOCTYPE,
    nameSpaces: new Map([
      [MDL_NAMESPACE, iso],
      [options.namespace ?? KR_MDL_NAMESPACE, kr],
    ]),
  };
}

/**
 * Where each profile claim of the licence lives in the mDL: claim name → [namespace, element].
 * DCQL `mso_mdoc` queries use these paths (OpenID4VP 1.0 §7.2), and {@link mdlToKoreanClaims}
 * reads them back.
 */
export const KR_LICENCE_ELEMENTS: Readonly<Record<string, readonly [string, string]>> =
  Object.freeze({
    name: [KR_MDL_NAMESPACE, 'name'],
    rrn: [KR_MDL_NAMESPACE, 'rrn'],
    birth_date: [MDL_NAMESPACE, 'birth_date'],
    address: [KR_MDL_NAMESPACE, 'address'],
    licence_number: [MDL_NAMESPACE, 'document_number'],
    licence_classes: [KR_MDL_NAMESPACE, 'licence_classes'],
    aptitude_test_period: [KR_MDL_NAMESPACE, 'aptitude_test_period'],
    conditions: [KR_MDL_NAMESPACE, 'conditions'],
    serial: [KR_MDL_NAMESPACE, 'serial'],
    issue_date: [MDL_NAMESPACE, 'issue_date'],
    issuing_authority: [KR_MDL_NAMESPACE, 'issuing_authority'],
    portrait: [MDL_NAMESPACE, 'portrait'],
    age_over_14: [MDL_NAMESPACE, 'age_over_14'],
    age_over_19: [MDL_NAMESPACE, 'age_over_19'],
    age_over_65: [MDL_NAMESPACE, 'age_over_65'],
  });

function plainDate(v: CborValue): unknown {
  return v instanceof CborTag && typeof v.value === 'string' ? v.value : v;
}

/**
 * Read verified mDL elements back as the profile's claim names (only those disclosed), so a
 * relying party handles both credential formats alike: dates as `YYYY-MM-DD`, the aptitude-test
 * period as `{start, end}`, the portrait as a `data:` URI.
 */
export function mdlToKoreanClaims(
  nameSpaces: Readonly<Record<string, Readonly<Record<string, CborValue>>>>,
  namespace: string = KR_MDL_NAMESPACE,
): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const [claim, [nsDefault, element]] of Object.entries(KR_LICENCE_ELEMENTS)) {
    const ns = nsDefault === KR_MDL_NAMESPACE ? namespace : nsDefault;
    const elements = nameSpaces[ns];
    if (elements === undefined || !Object.hasOwn(elements, element)) continue;
    const v = elements[element] as CborValue;
    let value: unknown = plainDate(v);
    if (claim === 'aptitude_test_period' && v instanceof Map)
      value = {
        start: plainDate(v.get('start') as CborValue),
        end: plainDate(v.get('end') as CborValue),
      };
    if (claim === 'portrait' && v instanceof Uint8Array) {
      const type = nameSpaces[namespace]?.['portrait_media_type'];
      const mediaType = typeof type === 'string' ? type : 'image/jpeg';
      value = `data:${mediaType};base64,${b64uEncode(v).replace(/-/g, '+').replace(/_/g, '/')}${'='.repeat((4 - (b64uEncode(v).length % 4)) % 4)}`;
    }
    defineOwn(out, claim, value);
  }
  return out;
}
