/**
 * @module wallet/errors
 * The wallet's own failures, with stable codes (`ERR_WALLET_*`, STYLE.md rules 8–10), next to the
 * `OpenMidError` codes of `@openmid/core` and `@openmid/verifier` that reach the wallet from the
 * libraries it uses. The UI shows a message per code (profiles/kr/src/ui), never the message text.
 * Messages and details never carry a PIN, a claim value, a token or a key.
 */
import { isOpenMidError } from '@openmid/core/errors';

/** Every wallet code with its one-line meaning (documented in docs/wallet.md "Error codes"). */
export const WALLET_ERROR_CODES = Object.freeze({
  ERR_WALLET_NOT_SET_UP: 'The wallet has no PIN and no keys yet (onboarding not done).',
  ERR_WALLET_ALREADY_SET_UP: 'Onboarding was asked for, but the wallet already has keys.',
  ERR_WALLET_PIN_FORMAT: 'A PIN is exactly six digits and not a trivial sequence.',
  ERR_WALLET_PIN_WRONG: 'The PIN is wrong; the attempt was counted.',
  ERR_WALLET_LOCKED_OUT: 'Five wrong PINs: the wallet destroyed its data key and must be reset.',
  ERR_WALLET_LOCKED: 'The wallet is locked: unlock it with the PIN first.',
  ERR_WALLET_STORAGE: 'The browser storage (IndexedDB) failed or is unavailable.',
  ERR_WALLET_RECORD_CORRUPT: 'A stored record does not decrypt (edited, moved or truncated).',
  ERR_WALLET_BIOMETRIC_UNAVAILABLE:
    'Biometric unlock needs a platform authenticator with the WebAuthn PRF extension.',
  ERR_WALLET_BIOMETRIC_FAILED: 'The biometric unlock was cancelled or did not match.',
  ERR_WALLET_OFFER_INVALID: 'The credential offer (link or QR) is malformed or not supported.',
  ERR_WALLET_ISSUER_UNTRUSTED: 'The issuer is not on the trust list for this kind of card.',
  ERR_WALLET_ISSUER_METADATA_INVALID: 'The issuer metadata is malformed or inconsistent.',
  ERR_WALLET_ISSUER_REFUSED: 'The issuer refused a request (OAuth error in `details.error`).',
  ERR_WALLET_TX_CODE_FORMAT: 'The transaction code does not have the form the offer announced.',
  ERR_WALLET_CREDENTIAL_INVALID:
    'A received credential does not verify or is not bound to our key.',
  ERR_WALLET_NETWORK: 'A server could not be reached or answered something unreadable.',
  ERR_WALLET_TRUST_UNAVAILABLE: 'No verified trust list is available (never fetched, or too old).',
  ERR_WALLET_REQUEST_INVALID: 'A presentation request (link or QR) is malformed.',
  ERR_WALLET_NO_MATCHING_CARD: 'No card in the wallet can answer the request.',
  ERR_WALLET_CONSENT_INCOMPLETE: 'The claims left ticked no longer answer the request.',
  ERR_WALLET_RRN_NO_LEGAL_BASIS:
    'A resident number was to be shared with a party that has no legal basis for it.',
  ERR_WALLET_VERIFIER_REJECTED: 'The verifier rejected the presentation (its code in `details`).',
  ERR_WALLET_CARD_UNKNOWN: 'No such card in the wallet.',
  ERR_WALLET_IN_PERSON_UNAVAILABLE:
    'The wallet knows no relay for in-person presentation (no verifier configured).',
} as const);

/** A wallet error code. */
export type WalletErrorCode = keyof typeof WALLET_ERROR_CODES;

/** A wallet failure with a stable code. */
export class WalletError extends Error {
  readonly code: WalletErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: WalletErrorCode,
    message?: string,
    options?: { readonly cause?: unknown; readonly details?: Readonly<Record<string, unknown>> },
  ) {
    super(message ?? WALLET_ERROR_CODES[code], options?.cause === undefined ? undefined : options);
    this.name = 'WalletError';
    this.code = code;
    this.details = options?.details;
  }
}

/** True when `e` is a {@link WalletError} (optionally with the given code). */
export function isWalletError(e: unknown, code?: WalletErrorCode): e is WalletError {
  return e instanceof WalletError && (code === undefined || e.code === code);
}

/**
 * The stable code of any failure the UI may see: a wallet code, an OpenMID library code, or
 * `ERR_INTERNAL` for anything else (fail closed: the UI then shows a generic message).
 */
export function errorCodeOf(e: unknown): string {
  if (isWalletError(e)) return e.code;
  if (isOpenMidError(e)) return e.code;
  return 'ERR_INTERNAL';
}
