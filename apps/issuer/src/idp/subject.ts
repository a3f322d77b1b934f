/**
 * @module idp/subject
 * The subject the demo identity provider asserts for a synthetic citizen: a CI-like value (Korean
 * 연계정보 is a one-way function of the resident number), which the issuer links to its register
 * through a blind index, exactly as it would link a real provider's subject.
 */
import { createHash } from 'node:crypto';

/** The demo IdP subject of the citizen with resident number `rrn`. */
export function demoSubjectOf(rrn: string): string {
  return createHash('sha256').update(`openmid-demo-ci\u0000${rrn}`, 'utf8').digest('base64url');
}
