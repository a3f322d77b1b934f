/**
 * @module wallet/webauthn
 * Biometric unlock with WebAuthn (W3C WebAuthn Level 3) and its PRF extension (§10.1.4 `prf`): a
 * platform authenticator (fingerprint, face) evaluates a pseudo-random function of a credential
 * secret that never leaves it, after user verification; the wallet derives a key from the output
 * (HKDF) and wraps the data key with it (wallet/vault.ts). Without PRF, WebAuthn would only be a
 * yes/no gate in JavaScript that protects nothing at rest, so the wallet offers biometric unlock
 * only where PRF works — feature-detected, never assumed.
 */
import { b64u, fromB64u, randomBytes } from './bytes.js';
import { WalletError } from './errors.js';
import type { PrfSource } from './vault.js';

type PrfResults = {
  readonly enabled?: boolean;
  readonly results?: { readonly first?: ArrayBuffer };
};

function prfOf(c: Credential | null): PrfResults | undefined {
  const ext = (c as PublicKeyCredential | null)?.getClientExtensionResults() as
    | { prf?: PrfResults }
    | undefined;
  return ext?.prf;
}

/** True when this browser has a user-verifying platform authenticator and (probably) PRF. */
export async function biometricsAvailable(): Promise<boolean> {
  const PKC = (globalThis as { PublicKeyCredential?: typeof PublicKeyCredential })
    .PublicKeyCredential;
  if (PKC === undefined || globalThis.isSecureContext !== true) return false;
  try {
    if (!(await PKC.isUserVerifyingPlatformAuthenticatorAvailable())) return false;
    const caps = await (
      PKC as unknown as { getClientCapabilities?: () => Promise<Record<string, boolean>> }
    ).getClientCapabilities?.();
    return caps === undefined || caps['extension:prf'] !== false;
  } catch {
    return false;
  }
}

function unavailable(cause?: unknown): WalletError {
  return new WalletError('ERR_WALLET_BIOMETRIC_UNAVAILABLE', undefined, { cause });
}

/**
 * The platform authenticator as a {@link PrfSource}.
 *
 * @example
 * ```ts
 * if (await biometricsAvailable()) await vault.enrolBiometrics(pin, webauthnPrf('OpenMID'))
 * ```
 */
export function webauthnPrf(rpName: string): PrfSource {
  async function evaluate(credentialId: string, prfSalt: string): Promise<Uint8Array> {
    const id = fromB64u(credentialId);
    const salt = fromB64u(prfSalt);
    if (id === undefined || salt === undefined) throw new WalletError('ERR_WALLET_RECORD_CORRUPT');
    let c: Credential | null;
    try {
      c = await navigator.credentials.get({
        publicKey: {
          challenge: randomBytes(32),
          allowCredentials: [{ id, type: 'public-key' }],
          userVerification: 'required',
          timeout: 60_000,
          extensions: { prf: { eval: { first: salt } } } as AuthenticationExtensionsClientInputs,
        },
      });
    } catch (cause) {
      throw new WalletError('ERR_WALLET_BIOMETRIC_FAILED', undefined, { cause });
    }
    const first = prfOf(c)?.results?.first;
    if (first === undefined) throw unavailable();
    return new Uint8Array(first);
  }
  return {
    async enrol() {
      const prfSalt = b64u(randomBytes(32));
      let c: Credential | null;
      try {
        c = await navigator.credentials.create({
          publicKey: {
            challenge: randomBytes(32),
            rp: { name: rpName },
            user: { id: randomBytes(16), name: 'wallet', displayName: rpName },
            pubKeyCredParams: [
              { type: 'public-key', alg: -7 },
              { type: 'public-key', alg: -8 },
            ],
            authenticatorSelection: {
              authenticatorAttachment: 'platform',
              userVerification: 'required',
              residentKey: 'discouraged',
            },
            timeout: 60_000,
            extensions: {
              prf: { eval: { first: fromB64u(prfSalt) } },
            } as AuthenticationExtensionsClientInputs,
          },
        });
      } catch (cause) {
        throw new WalletError('ERR_WALLET_BIOMETRIC_FAILED', undefined, { cause });
      }
      const prf = prfOf(c);
      if (c === null || prf?.enabled === false) throw unavailable();
      const credentialId = b64u(new Uint8Array((c as PublicKeyCredential).rawId));
      // Some authenticators evaluate the PRF only on an assertion, not at creation.
      const first = prf?.results?.first;
      const secret =
        first === undefined ? await evaluate(credentialId, prfSalt) : new Uint8Array(first);
      return { credentialId, prfSalt, secret };
    },
    evaluate,
  };
}
