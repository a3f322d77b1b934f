/**
 * @module oid4vp/attestation
 * The proof of registration a wallet receives with every request (issue 4 §1): a **Verifier
 * Attestation JWT** (OpenID4VP 1.0 §12, `typ: verifier-attestation+jwt`) issued by the registry,
 * used with the Client Identifier Prefix `verifier_attestation` (§5.9.3):
 *
 * - `iss`: the registry, trusted by the wallet as an issuer of {@link REGISTRY_ATTESTATION_TYPE};
 * - `sub`: the relying party's identifier (the client identifier without its prefix);
 * - `cnf.jwk`: the relying party's request-signing key — the request object must be signed with
 *   it, which proves possession (§5.9.3);
 * - `exp` (required), `iat`;
 * - `openmid_registration`: what the party is registered for — names, purpose, the claims it may
 *   request per credential type, its statutory basis for the resident registration number — so
 *   the wallet can show who asks and why, and warn when a request exceeds the registration;
 * - `openmid_ledger` (when the registration comes from the trust ledger): `{ ledger_id, rp,
 *   index }` — the ledger, the party's identifier there (the `sub`) and the log index of the
 *   registration version attested — so that a wallet can check the registration on the ledger
 *   itself (its own verified snapshot, or an `rp-claim` query with its proof) instead of
 *   believing the registry.
 *
 * The attestation travels in the `jwt` JOSE header of the request object (§12).
 */
import type { CryptoProvider } from '@openmid/core';
import { asOpenMidError, OpenMidError } from '@openmid/core/errors';
import { signCompactJws, systemClock, verifyCompactJws } from '@openmid/core/jose';
import { jwkThumbprint, type PublicJwk, parsePublicJwk, type Signer } from '@openmid/core/keys';
import { isObject } from '../internal/json.js';
import { ask, pickKey, verifierForKey } from '../trust/keys.js';
import {
  parseRelyingPartyRegistration,
  REGISTRY_ATTESTATION_TYPE,
  type RelyingPartyRegistration,
  type TrustSource,
} from '../trust/source.js';

/** `typ` of a Verifier Attestation JWT (OpenID4VP 1.0 §12). */
export const VERIFIER_ATTESTATION_TYP = 'verifier-attestation+jwt';

/** The Client Identifier Prefix OpenMID relying parties use (OpenID4VP 1.0 §5.9.3). */
export const CLIENT_ID_PREFIX = 'verifier_attestation';

/** The full client identifier of relying party `rpId`: `verifier_attestation:<rpId>`. */
export function clientIdOf(rpId: string): string {
  return `${CLIENT_ID_PREFIX}:${rpId}`;
}

/** Options of {@link createVerifierAttestation}. */
export interface CreateAttestationOptions {
  /** The registry's signing key (its `kid` must be in the trust source). */
  readonly signer: Signer;
  /** The registry's identifier (`iss`). */
  readonly iss: string;
  /** The relying party's request-signing key to bind (`cnf.jwk`); one of its registered keys. */
  readonly key: PublicJwk;
  readonly now?: number;
  /** Lifetime in seconds (default 86,400). */
  readonly ttl?: number;
}

/** Where the attested registration is on the trust ledger (the `openmid_ledger` claim). */
export interface AttestedLedgerReference {
  /** The ledger id (hex SHA-256 of its genesis entry). */
  readonly ledgerId: string;
  /** The relying party's identifier on the ledger (the attestation's `sub`). */
  readonly rp: string;
  /** The log index of the registration version the registry attested. */
  readonly index: number;
}

/** The registration as carried in an attestation (snake_case, JSON). */
function registrationClaim(rp: RelyingPartyRegistration): Record<string, unknown> {
  return {
    names: rp.names,
    purpose: rp.purpose,
    requests: rp.requests,
    rrn_legal_basis: rp.rrnLegalBasis,
  };
}

/**
 * Registry side: issue a Verifier Attestation JWT for a registered relying party.
 *
 * @example
 * ```ts
 * const attestation = await createVerifierAttestation(bank, { signer: registryKey, iss: REGISTRY, key: bankRequestKey })
 * ```
 * @see OpenID4VP 1.0 §12
 */
export async function createVerifierAttestation(
  rp: RelyingPartyRegistration,
  options: CreateAttestationOptions,
): Promise<string> {
  const now = options.now ?? systemClock();
  const thumb = jwkThumbprint(options.key);
  if (!rp.keys.some((k) => jwkThumbprint(k.jwk) === thumb))
    throw new OpenMidError(
      'ERR_INPUT_INVALID',
      'The key to bind is not a registered key of the party',
    );
  const exp = Math.min(now + (options.ttl ?? 86_400), rp.validUntil ?? Number.MAX_SAFE_INTEGER);
  const { kid: _kid, ...jwk } = parsePublicJwk(options.key).jwk;
  return signCompactJws(
    {
      iss: options.iss,
      sub: rp.id,
      iat: now,
      exp,
      cnf: { jwk },
      openmid_registration: registrationClaim(rp),
      ...(rp.ledger === undefined
        ? {}
        : {
            openmid_ledger: { ledger_id: rp.ledger.ledgerId, rp: rp.id, index: rp.ledger.index },
          }),
    },
    { typ: VERIFIER_ATTESTATION_TYP, signer: options.signer },
  );
}

/** A verified attestation. */
export interface VerifiedAttestation {
  /** The registry that attested. */
  readonly iss: string;
  readonly registryName?: { readonly ko: string; readonly en: string };
  /** What the party is registered for: from the trust source when it knows the party, else from the attestation. */
  readonly registration: RelyingPartyRegistration;
  /** The key the request object must be signed with. */
  readonly cnfJwk: PublicJwk;
  readonly expiresAt: number;
  /**
   * Where the registry says the registration is on the trust ledger (`openmid_ledger`), to look
   * it up independently. `registration.ledger` is set only when the wallet's own trust source
   * (a verified ledger snapshot) supplied the registration.
   */
  readonly ledger?: AttestedLedgerReference;
}

const HEX32 = /^[0-9a-f]{64}$/;

function ledgerReference(value: unknown, sub: string): AttestedLedgerReference | undefined {
  if (value === undefined) return undefined;
  if (
    !isObject(value) ||
    typeof value['ledger_id'] !== 'string' ||
    !HEX32.test(value['ledger_id']) ||
    value['rp'] !== sub ||
    typeof value['index'] !== 'number' ||
    !Number.isSafeInteger(value['index']) ||
    value['index'] < 0
  )
    throw attInvalid('The attestation openmid_ledger claim is malformed');
  return { ledgerId: value['ledger_id'], rp: sub, index: value['index'] };
}

function attInvalid(message: string, cause?: unknown): OpenMidError {
  return new OpenMidError(
    'ERR_VP_ATTESTATION_INVALID',
    message,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Wallet side: verify a Verifier Attestation JWT for `clientId` — signed by a registry the trust
 * source authorises for {@link REGISTRY_ATTESTATION_TYPE}, unexpired, `sub` equal to the client
 * identifier without its prefix, a public `cnf.jwk`. When the trust source itself knows the
 * party, its registration wins and the `cnf` key must be one of the registered keys.
 *
 * @see OpenID4VP 1.0 §5.9.3, §12
 */
export async function verifyVerifierAttestation(
  jwt: string,
  options: {
    readonly trust: TrustSource;
    readonly clientId: string;
    readonly now?: number;
    readonly leeway?: number;
    readonly crypto?: CryptoProvider;
  },
): Promise<VerifiedAttestation> {
  try {
    const now = options.now ?? systemClock();
    const leeway = options.leeway ?? 30;
    if (!options.clientId.startsWith(`${CLIENT_ID_PREFIX}:`))
      throw new OpenMidError(
        'ERR_VP_REQUEST_INVALID',
        'The client identifier prefix is not verifier_attestation',
      );
    let registryName: { ko: string; en: string } | undefined;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await verifyCompactJws(jwt, {
        typ: VERIFIER_ATTESTATION_TYP,
        key: async (header, body) => {
          const iss = body['iss'];
          if (typeof iss !== 'string') throw attInvalid('The attestation has no issuer');
          if (!(await ask(() => options.trust.issuerMayIssue(iss, REGISTRY_ATTESTATION_TYPE, now))))
            throw attInvalid('The attestation issuer is not a trusted registry');
          const answer = await ask(() => options.trust.issuerKeys(iss, now));
          registryName = answer.names;
          return verifierForKey(
            pickKey(answer, header.kid, 'ERR_VP_ATTESTATION_INVALID'),
            options.crypto,
          );
        },
      }));
    } catch (e) {
      const err = asOpenMidError(e);
      if (
        err.code === 'ERR_TRUST_SOURCE_UNAVAILABLE' ||
        err.code === 'ERR_OFFLINE_BUNDLE_STALE' ||
        err.code === 'ERR_LEDGER_SNAPSHOT_STALE'
      )
        throw err;
      throw err.code === 'ERR_VP_ATTESTATION_INVALID'
        ? err
        : attInvalid('The attestation does not verify', err);
    }
    const exp = payload['exp'];
    if (typeof exp !== 'number' || now - leeway >= exp)
      throw attInvalid('The attestation is expired');
    const nbf = payload['nbf'];
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + leeway))
      throw attInvalid('The attestation is not yet valid');
    const sub = payload['sub'];
    if (typeof sub !== 'string' || clientIdOf(sub) !== options.clientId)
      throw attInvalid('The attestation is for another client identifier');
    const cnf = payload['cnf'];
    let cnfJwk: PublicJwk;
    try {
      cnfJwk = parsePublicJwk(isObject(cnf) ? cnf['jwk'] : undefined).jwk;
    } catch (cause) {
      throw attInvalid('The attestation cnf.jwk is not a public key', cause);
    }
    const ledger = ledgerReference(payload['openmid_ledger'], sub);
    const known = await ask(() => options.trust.relyingParty(sub, now));
    let registration: RelyingPartyRegistration;
    if (known !== undefined) {
      const thumb = jwkThumbprint(cnfJwk);
      if (!known.keys.some((k) => jwkThumbprint(k.jwk) === thumb))
        throw attInvalid('The attested key is not a registered key of the party');
      registration = known;
    } else {
      const claim = payload['openmid_registration'];
      if (!isObject(claim)) throw attInvalid('The attestation carries no registration');
      try {
        registration = parseRelyingPartyRegistration({
          id: sub,
          names: claim['names'],
          purpose: claim['purpose'],
          requests: claim['requests'],
          rrnLegalBasis: claim['rrn_legal_basis'] ?? null,
          keys: [{ kid: jwkThumbprint(cnfJwk), jwk: cnfJwk }],
          validFrom: typeof payload['iat'] === 'number' ? payload['iat'] : 0,
          validUntil: exp,
        });
      } catch (cause) {
        throw attInvalid('The attested registration is malformed', cause);
      }
    }
    return {
      iss: payload['iss'] as string,
      ...(registryName === undefined ? {} : { registryName }),
      registration,
      cnfJwk,
      expiresAt: exp,
      ...(ledger === undefined ? {} : { ledger }),
    };
  } catch (e) {
    throw asOpenMidError(e);
  }
}
