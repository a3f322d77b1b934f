/**
 * @module @openmid/core/mdoc
 * ISO/IEC 18013-5 mdoc (the mobile driving licence in CBOR/COSE form), isomorphic:
 * - hardened, deterministic CBOR (RFC 8949) with tag-24 original bytes; COSE_Sign1, COSE_Mac0,
 *   COSE_Key (RFC 9052/9053);
 * - the mdoc PKI: IACA and document-signer certificates with the Annex B profile, and the
 *   verifier's IACA trust store;
 * - issuer: IssuerSigned with the Mobile Security Object; holder: DeviceResponse with selected
 *   elements and DeviceAuth; verifier: every check of §9.3 with its own error code;
 * - SessionTranscripts (proximity, OpenID4VP 1.0 redirect and DC API handovers), device engagement,
 *   session encryption (§9.1.1) and the two ends of an in-person session;
 * - the Korean licence as an mDL (`org.iso.18013.5.1` + `kr.openmid.mdl.1`).
 *
 * Kept out of the package root so SD-JWT-only imports never load CBOR or X.509 code.
 */
export {
  type CborDecodeOptions,
  DEFAULT_CBOR_LIMITS,
  decodeCbor,
  decodeEmbedded,
} from './cbor/decode.js';
export { embed, encodeCbor, encodeEmbedded } from './cbor/encode.js';
export {
  type CborKey,
  type CborMap,
  type CborObject,
  CborTag,
  type CborValue,
  DEFAULT_CBOR_TAGS,
  EncodedCbor,
  isCborMap,
  RawCbor,
} from './cbor/types.js';
export { COSE_ALG, COSE_CRV, COSE_KEY, COSE_KTY, coseKeyToJwk, jwkToCoseKey } from './cose/key.js';
export { createMac0, macStructure, verifyMac0 } from './cose/mac0.js';
export {
  COSE_HEADER,
  type CoseMessage,
  parseCoseMessage,
  type SignSign1Options,
  sigAlgOf,
  signSign1,
  sigStructure,
  type VerifySign1Options,
  verifySign1,
  x5chain,
} from './cose/sign1.js';
export {
  CIPHER_SUITE_1,
  type DeviceEngagement,
  deviceEngagementFromUri,
  deviceEngagementUri,
  ENGAGEMENT_URI_PREFIX,
  type EncodeDeviceEngagementOptions,
  encodeDeviceEngagement,
  parseDeviceEngagement,
} from './engagement.js';
export { type IssuedMdoc, type IssueMdocOptions, issueMdoc, type MdocNameSpaces } from './issue.js';
export {
  type KoreanLicenceClaims,
  type KoreanMdl,
  type KoreanMdlOptions,
  KR_CONDITION_CODES,
  KR_LICENCE_ELEMENTS,
  KR_MDL_NAMESPACE,
  KR_POLICE_AGENCIES,
  KR_VEHICLE_CATEGORIES,
  koreanAge,
  koreanLicenceToMdl,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
  mdlToKoreanClaims,
} from './kr/licence.js';
export {
  FAMILY_NAME_SPELLINGS,
  isLatin1Name,
  type NameParts,
  romaniseHangul,
  romaniseKoreanName,
  splitKoreanName,
  TWO_SYLLABLE_FAMILY_NAMES,
} from './kr/names.js';
export {
  type IssuerSignedItem,
  MDOC_CBOR_LIMITS,
  type MobileSecurityObject,
  MSO_DIGEST_ALGS,
  type MsoStatusReference,
  type MsoValidity,
  type ParsedIssuerSigned,
  parseIssuerSigned,
  parseIssuerSignedItem,
  parseMso,
  readMso,
} from './mso.js';
export {
  type CreateDeviceResponseOptions,
  createDeviceResponse,
  deviceAuthenticationBytes,
  type HeldMdoc,
  type PresentedDocument,
  readIssuerSigned,
} from './present.js';
export {
  type AcceptReaderSessionOptions,
  acceptReaderSession,
  type MdocSession,
  type ReaderSession,
  type SessionMessage,
  type StartReaderSessionOptions,
  startReaderSession,
} from './proximity.js';
export {
  type DocRequest,
  type EncodeDeviceRequestOptions,
  encodeDeviceRequest,
  parseDeviceRequest,
  READER_AUTH_EKU,
  type RequestedElements,
  type VerifyReaderAuthOptions,
  verifyReaderAuth,
} from './request.js';
export {
  createSessionCipher,
  decodeSessionData,
  decodeSessionEstablishment,
  deriveEMacKey,
  deriveSessionKeys,
  type EphemeralKey,
  encodeSessionData,
  encodeSessionEstablishment,
  generateEphemeralKey,
  importEphemeralKey,
  SESSION_STATUS,
  type SessionCipher,
  type SessionData,
  type SessionEstablishment,
  type SessionKeyInput,
  type SessionKeys,
  type SessionRole,
} from './session.js';
export {
  type OpenId4VpDcApiHandoverParams,
  type OpenId4VpHandoverParams,
  openid4vpDcApiSessionTranscript,
  openid4vpSessionTranscript,
  type SessionTranscript,
  sessionTranscript,
  sessionTranscriptFromBytes,
} from './transcript.js';
export { fullDate, isFullDate, mdocValueToJson, readTdate, tdate } from './values.js';
export {
  type MdocElements,
  type MdocIssuer,
  type VerifiedDeviceResponse,
  type VerifiedIssuerSigned,
  type VerifiedMdoc,
  type VerifyDeviceResponseOptions,
  type VerifyMdocPolicy,
  verifyDeviceResponse,
  verifyIssuerSigned,
} from './verify.js';
export {
  type Certificate,
  type CertificateKey,
  type CertificateSignatureAlg,
  certificateJwk,
  type DistinguishedName,
  derToPem,
  KEY_USAGE,
  OID,
  parseCertificate,
  pemToDer,
} from './x509/certificate.js';
export {
  type CertificateSubject,
  type CreateDemoPkiOptions,
  type CreateDocumentSignerOptions,
  type CreatedCertificate,
  type CreateIacaOptions,
  createDemoPki,
  createDocumentSigner,
  createIaca,
  type DemoPki,
} from './x509/create.js';
export {
  type CertificateInput,
  createTrustStore,
  type MdocTrustStore,
  type MdocTrustStoreOptions,
  type TrustedDocumentSigner,
  verifyCertificateSignature,
} from './x509/trust.js';
