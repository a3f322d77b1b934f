/**
 * @module citizens/romanise
 * Revised Romanization of Korean (국어의 로마자 표기법, 2000) for given names, syllable by syllable:
 * its rule for personal names is that sound changes between syllables are not transcribed (복남
 * → Boknam), so each syllable romanises on its own. Family names use the customary passport
 * spellings (Kim, Lee, Park…) instead, given in the surname table. The tables live once, in the
 * mdoc engine's Korean name rules (`romaniseHangul` of `@openmid/core/mdoc`), which the licence's
 * `family_name` / `given_name` also use.
 */
import { romaniseHangul } from '@openmid/core/mdoc';

/** Romanise one precomposed Hangul syllable (U+AC00–U+D7A3), lower case; others pass through. */
export function romaniseSyllable(syllable: string): string {
  if (syllable.length !== 1) return syllable;
  const code = syllable.charCodeAt(0);
  return code >= 0xac00 && code <= 0xd7a3 ? romaniseHangul(syllable).toLowerCase() : syllable;
}

/** Romanise a given name syllable by syllable, upper case, as printed in a passport. */
export function romaniseGivenName(name: string): string {
  return romaniseHangul(name);
}
