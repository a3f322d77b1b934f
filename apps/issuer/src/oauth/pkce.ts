/**
 * @module oauth/pkce
 * PKCE (RFC 7636): the S256 code challenge of a verifier (§4.2). `plain` is never accepted.
 */
import { createHash } from 'node:crypto';

/** The PKCE S256 challenge of a verifier: base64url(SHA-256(ASCII(verifier))) (RFC 7636 §4.2). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
