/**
 * @module mdoc/proximity
 * The two ends of an in-person (proximity) session after QR device engagement (ISO/IEC 18013-5
 * §9.1.1), independent of the transport that carries the messages (BLE, NFC, or the HTTPS relay
 * of ADR 006):
 *
 * 1. the mdoc shows `mdoc:<DeviceEngagement>` with a fresh EDeviceKey;
 * 2. the reader scans it, makes EReaderKey, builds SessionTranscript = [DeviceEngagementBytes,
 *    EReaderKeyBytes, Handover (null for QR)] and sends SessionEstablishment with the encrypted
 *    DeviceRequest;
 * 3. the mdoc derives the same transcript and keys, decrypts the request, and answers with
 *    SessionData carrying the encrypted DeviceResponse (DeviceAuth over that transcript);
 * 4. either side ends with SessionData status 20.
 */
import { OpenMidError } from '../errors/error.js';
import type { CborValue } from './cbor/types.js';
import { type DeviceEngagement, parseDeviceEngagement } from './engagement.js';
import {
  createSessionCipher,
  decodeSessionData,
  decodeSessionEstablishment,
  deriveSessionKeys,
  type EphemeralKey,
  encodeSessionData,
  encodeSessionEstablishment,
  generateEphemeralKey,
  SESSION_STATUS,
  type SessionCipher,
} from './session.js';
import { type SessionTranscript, sessionTranscript } from './transcript.js';

/** What a session receives: decrypted data, a status, or both. */
export interface SessionMessage {
  readonly data?: Uint8Array;
  readonly status?: number;
}

async function receive(cipher: SessionCipher, bytes: Uint8Array): Promise<SessionMessage> {
  const message = decodeSessionData(bytes);
  const data = message.data === undefined ? undefined : await cipher.decrypt(message.data);
  return {
    ...(data === undefined ? {} : { data }),
    ...(message.status === undefined ? {} : { status: message.status }),
  };
}

/** The reader end of a session. */
export interface ReaderSession {
  readonly engagement: DeviceEngagement;
  readonly sessionTranscript: SessionTranscript;
  /** EReaderKey (its private key verifies a `deviceMac`). */
  readonly readerKey: EphemeralKey;
  /** SessionEstablishment carrying `deviceRequest`, encrypted (send it first, once). */
  establish(deviceRequest: Uint8Array): Promise<Uint8Array>;
  /** SessionData with a further encrypted request. */
  send(data: Uint8Array): Promise<Uint8Array>;
  /** Decrypt SessionData from the mdoc (a DeviceResponse, or a status). */
  receive(sessionData: Uint8Array): Promise<SessionMessage>;
  /** SessionData ending the session (status 20). */
  terminate(): Uint8Array;
}

/** Options of {@link startReaderSession}. */
export interface StartReaderSessionOptions {
  /** The scanned DeviceEngagement bytes (see `deviceEngagementFromUri`). */
  readonly deviceEngagement: Uint8Array;
  /** Handover: null for QR engagement (default), the NFC handover messages otherwise. */
  readonly handover?: CborValue;
  /** EReaderKey (default: a fresh one). */
  readonly readerKey?: EphemeralKey;
}

/**
 * Start the reader side of a session from a scanned device engagement.
 *
 * @throws OpenMidError `ERR_MDOC_ENGAGEMENT_INVALID`, `ERR_COSE_KEY_INVALID`.
 * @see ISO/IEC 18013-5 §9.1.1.4, §9.1.5.1
 */
export async function startReaderSession(
  options: StartReaderSessionOptions,
): Promise<ReaderSession> {
  const engagement = parseDeviceEngagement(options.deviceEngagement);
  const readerKey = options.readerKey ?? (await generateEphemeralKey());
  const transcript = sessionTranscript(
    engagement.bytes,
    readerKey.publicKeyBytes,
    options.handover ?? null,
  );
  const keys = await deriveSessionKeys({
    privateKey: readerKey.privateKey,
    peerPublicKey: engagement.eDeviceKey,
    sessionTranscript: transcript,
  });
  const cipher = createSessionCipher(keys, 'reader');
  let established = false;
  return Object.freeze({
    engagement,
    sessionTranscript: transcript,
    readerKey,
    async establish(deviceRequest: Uint8Array): Promise<Uint8Array> {
      if (established)
        throw new OpenMidError('ERR_INPUT_INVALID', 'The session is already established');
      established = true;
      return encodeSessionEstablishment(
        readerKey.publicKeyBytes,
        await cipher.encrypt(deviceRequest),
      );
    },
    async send(data: Uint8Array): Promise<Uint8Array> {
      return encodeSessionData({ data: await cipher.encrypt(data) });
    },
    receive: (bytes: Uint8Array) => receive(cipher, bytes),
    terminate: () => encodeSessionData({ status: SESSION_STATUS.terminated }),
  });
}

/** The mdoc end of a session. */
export interface MdocSession {
  readonly sessionTranscript: SessionTranscript;
  /** The decrypted DeviceRequest of the SessionEstablishment. */
  readonly request: Uint8Array;
  /** SessionData carrying the encrypted DeviceResponse. */
  respond(deviceResponse: Uint8Array): Promise<Uint8Array>;
  /** Decrypt further SessionData from the reader. */
  receive(sessionData: Uint8Array): Promise<SessionMessage>;
  /** SessionData ending the session (status 20). */
  terminate(): Uint8Array;
}

/** Options of {@link acceptReaderSession}. */
export interface AcceptReaderSessionOptions {
  /** The DeviceEngagement bytes this mdoc showed. */
  readonly deviceEngagement: Uint8Array;
  /** The EDeviceKey of that engagement. */
  readonly deviceKey: EphemeralKey;
  /** The SessionEstablishment received. */
  readonly sessionEstablishment: Uint8Array;
  readonly handover?: CborValue;
}

/**
 * Accept a reader's SessionEstablishment on the mdoc side: derive the transcript and keys and
 * decrypt the DeviceRequest.
 *
 * @throws OpenMidError `ERR_MDOC_SESSION_MALFORMED`, `ERR_MDOC_SESSION_DECRYPT_FAILED`,
 *   `ERR_MDOC_ENGAGEMENT_INVALID`, `ERR_COSE_KEY_INVALID`.
 */
export async function acceptReaderSession(
  options: AcceptReaderSessionOptions,
): Promise<MdocSession> {
  const engagement = parseDeviceEngagement(options.deviceEngagement);
  if (
    engagement.eDeviceKey.x !== options.deviceKey.publicJwk.x ||
    engagement.eDeviceKey.y !== options.deviceKey.publicJwk.y
  )
    throw new OpenMidError('ERR_INPUT_INVALID', 'The engagement does not carry this device key');
  const establishment = decodeSessionEstablishment(options.sessionEstablishment);
  const transcript = sessionTranscript(
    engagement.bytes,
    establishment.eReaderKeyBytes,
    options.handover ?? null,
  );
  const keys = await deriveSessionKeys({
    privateKey: options.deviceKey.privateKey,
    peerPublicKey: establishment.eReaderKey,
    sessionTranscript: transcript,
  });
  const cipher = createSessionCipher(keys, 'mdoc');
  const request = await cipher.decrypt(establishment.data);
  return Object.freeze({
    sessionTranscript: transcript,
    request,
    async respond(deviceResponse: Uint8Array): Promise<Uint8Array> {
      return encodeSessionData({ data: await cipher.encrypt(deviceResponse) });
    },
    receive: (bytes: Uint8Array) => receive(cipher, bytes),
    terminate: () => encodeSessionData({ status: SESSION_STATUS.terminated }),
  });
}
