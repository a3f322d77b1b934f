/**
 * @module mdoc/kr/names
 * Korean personal names for the ISO mDL name elements (ISO/IEC 18013-5 §7.2.1): `family_name`
 * and `given_name` must be Latin-1 (ISO/IEC 8859-1, ≤ 150 characters), so they carry the
 * romanised name, while `family_name_national_character` / `given_name_national_character`
 * carry the Hangul (DOMAIN.md §2.4: family name first, no space).
 *
 * Splitting a Hangul name that comes as one string (the profile's `name`, e.g. 홍길동): the first
 * syllable is the family name, unless the name has three or more syllables and starts with one of
 * the two-syllable family names of the 2015 census (남궁, 황보, 제갈, 선우, 사공, 서문, 독고, 동방,
 * 어금, 망절, 등정, 장곡, 소봉), which are then taken whole. The rule is ambiguous for a few real
 * names (선우진 may be 선우 + 진 or 선 + 우진), so an issuer whose register records the split
 * passes it (`family_name`), and that always wins.
 *
 * Romanising: the register's passport spelling when given (`family_name_latin`,
 * `given_name_latin`); otherwise the customary passport spelling of the family name (김 → KIM,
 * 이 → LEE, 박 → PARK …) and the Revised Romanization (2000) of the given name syllable by
 * syllable — its rule for personal names is that sound changes between syllables are not
 * transcribed (복남 → BOKNAM) — in upper case, as in a passport.
 */

/** Two-syllable family names (Statistics Korea 2015 census). */
export const TWO_SYLLABLE_FAMILY_NAMES: readonly string[] = Object.freeze([
  '남궁',
  '황보',
  '제갈',
  '선우',
  '사공',
  '서문',
  '독고',
  '동방',
  '어금',
  '망절',
  '등정',
  '장곡',
  '소봉',
]);

/**
 * Customary passport spellings of family names (the spelling most holders of the name use; the
 * Revised Romanization would give GIM, I, BAK…). Others fall back to the Revised Romanization.
 */
export const FAMILY_NAME_SPELLINGS: Readonly<Record<string, string>> = Object.freeze({
  김: 'KIM',
  이: 'LEE',
  박: 'PARK',
  최: 'CHOI',
  정: 'JEONG',
  강: 'KANG',
  조: 'CHO',
  윤: 'YOON',
  장: 'JANG',
  임: 'LIM',
  한: 'HAN',
  오: 'OH',
  서: 'SEO',
  신: 'SHIN',
  권: 'KWON',
  황: 'HWANG',
  안: 'AHN',
  송: 'SONG',
  전: 'JEON',
  홍: 'HONG',
  유: 'YOO',
  고: 'KO',
  문: 'MOON',
  양: 'YANG',
  손: 'SON',
  배: 'BAE',
  백: 'BAEK',
  허: 'HEO',
  남: 'NAM',
  심: 'SHIM',
  노: 'NOH',
  하: 'HA',
  곽: 'KWAK',
  성: 'SUNG',
  차: 'CHA',
  주: 'JOO',
  우: 'WOO',
  구: 'KOO',
  민: 'MIN',
  류: 'RYU',
  나: 'NA',
  진: 'JIN',
  지: 'JI',
  엄: 'EOM',
  채: 'CHAE',
  원: 'WON',
  천: 'CHEON',
  방: 'BANG',
  공: 'KONG',
  현: 'HYUN',
  함: 'HAM',
  변: 'BYUN',
  염: 'YEOM',
  여: 'YEO',
  추: 'CHOO',
  도: 'DO',
  소: 'SO',
  석: 'SEOK',
  선: 'SUN',
  설: 'SEOL',
  마: 'MA',
  길: 'GIL',
  연: 'YEON',
  위: 'WI',
  표: 'PYO',
  명: 'MYUNG',
  기: 'KI',
  반: 'BAN',
  왕: 'WANG',
  금: 'KEUM',
  옥: 'OK',
  육: 'YOOK',
  인: 'IN',
  맹: 'MAENG',
  제: 'JE',
  모: 'MO',
  탁: 'TAK',
  국: 'KOOK',
  남궁: 'NAMGUNG',
  황보: 'HWANGBO',
  제갈: 'JEGAL',
  선우: 'SUNWOO',
  사공: 'SAGONG',
  서문: 'SEOMUN',
  독고: 'DOKGO',
  동방: 'DONGBANG',
});

// Revised Romanization tables: initial consonants, vowels, final consonants (before a pause).
const INITIALS = [
  'g',
  'kk',
  'n',
  'd',
  'tt',
  'r',
  'm',
  'b',
  'pp',
  's',
  'ss',
  '',
  'j',
  'jj',
  'ch',
  'k',
  't',
  'p',
  'h',
];
const VOWELS = [
  'a',
  'ae',
  'ya',
  'yae',
  'eo',
  'e',
  'yeo',
  'ye',
  'o',
  'wa',
  'wae',
  'oe',
  'yo',
  'u',
  'wo',
  'we',
  'wi',
  'yu',
  'eu',
  'ui',
  'i',
];
const FINALS = [
  '',
  'k',
  'k',
  'k',
  'n',
  'n',
  'n',
  't',
  'l',
  'k',
  'm',
  'l',
  'l',
  'l',
  'p',
  'l',
  'm',
  'p',
  'p',
  't',
  't',
  'ng',
  't',
  't',
  'k',
  't',
  'p',
  't',
];

const HANGUL = /^[가-힣]+$/;

/** Revised Romanization of Hangul syllables, one by one, upper case (other characters pass). */
export function romaniseHangul(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0) - 0xac00;
    if (code < 0 || code > 11171) {
      out += ch;
      continue;
    }
    const l = Math.floor(code / 588);
    const v = Math.floor((code % 588) / 28);
    const t = code % 28;
    out += `${INITIALS[l]}${VOWELS[v]}${FINALS[t]}`;
  }
  return out.toUpperCase();
}

/** A name in family / given parts. */
export interface NameParts {
  readonly family: string;
  readonly given: string;
}

/**
 * Split a full name as registered (Hangul family name first, no space; or Latin `FAMILY GIVEN`)
 * into family and given name. `familyName`, when the register has it, decides.
 */
export function splitKoreanName(name: string, familyName?: string): NameParts {
  if (familyName !== undefined && familyName.length > 0 && name.startsWith(familyName))
    return { family: familyName, given: name.slice(familyName.length).trim() };
  if (HANGUL.test(name)) {
    const two = name.slice(0, 2);
    if (name.length >= 3 && TWO_SYLLABLE_FAMILY_NAMES.includes(two))
      return { family: two, given: name.slice(2) };
    return { family: name.slice(0, 1), given: name.slice(1) };
  }
  const space = name.indexOf(' ');
  return space < 0
    ? { family: name, given: '' }
    : { family: name.slice(0, space), given: name.slice(space + 1).trim() };
}

/** The passport-style romanisation of Hangul name parts (Latin parts pass unchanged). */
export function romaniseKoreanName(parts: NameParts): NameParts {
  const family = HANGUL.test(parts.family)
    ? (FAMILY_NAME_SPELLINGS[parts.family] ?? romaniseHangul(parts.family))
    : parts.family;
  const given = HANGUL.test(parts.given) ? romaniseHangul(parts.given) : parts.given;
  return { family, given };
}

/** True for a Latin-1 string of at most 150 characters (18013-5 §7.2.1 "latin1b"). */
export function isLatin1Name(value: string): boolean {
  return value.length <= 150 && /^[\x20-\x7e\xa0-\xff]*$/.test(value);
}
