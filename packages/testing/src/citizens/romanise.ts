/**
 * @module citizens/romanise
 * Revised Romanization of Korean (국어의 로마자 표기법, 2000) for given names, syllable by syllable:
 * its rule for personal names is that sound changes between syllables are not transcribed (복남
 * → Boknam), so each syllable romanises on its own. Family names use the customary passport
 * spellings (Kim, Lee, Park…) instead, given in the surname table.
 */

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
// Final consonants (받침) before a pause: ㄱㄲㅋ k, ㄷㅅㅆㅈㅊㅌㅎ t, ㅂㅍ p; clusters by their
// pronounced member.
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

/** Romanise one precomposed Hangul syllable (U+AC00–U+D7A3); other characters pass through. */
export function romaniseSyllable(syllable: string): string {
  const code = syllable.charCodeAt(0) - 0xac00;
  if (syllable.length !== 1 || code < 0 || code > 11171) return syllable;
  const l = Math.floor(code / 588);
  const v = Math.floor((code % 588) / 28);
  const t = code % 28;
  return `${INITIALS[l]}${VOWELS[v]}${FINALS[t]}`;
}

/** Romanise a given name syllable by syllable, upper case, as printed in a passport. */
export function romaniseGivenName(name: string): string {
  let out = '';
  for (const ch of name) out += romaniseSyllable(ch);
  return out.toUpperCase();
}
