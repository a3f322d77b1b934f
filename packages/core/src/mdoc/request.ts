/**
 * @module mdoc/request
 * DeviceRequest (ISO/IEC 18013-5 §8.3.2.1.2.1) and mdoc reader authentication (§9.1.4): what an
 * in-person reader asks for, optionally signed by the reader's certificate so the wallet can show
 * the citizen who is asking before anything is disclosed.
 *
 * ```cddl
 * DeviceRequest = { "version": tstr, "docRequests": [ + DocRequest ] }
 * DocRequest = { "itemsRequest": ItemsRequestBytes, ? "readerAuth": ReaderAuth }
 * ItemsRequest = { "docType": DocType, "nameSpaces": { + NameSpace => { + DataElementIdentifier => IntentToRetain } },
 *                  ? "requestInfo": { * tstr => any } }
 * ReaderAuthentication = [ "ReaderAuthentication", SessionTranscript, ItemsRequestBytes ]
 * ReaderAuth = COSE_Sign1 over #6.24(bstr .cbor ReaderAuthentication), detached, with x5chain
 * ```
 */
import { OpenMidError } from '../errors/error.js';
import { defineOwn } from '../internal/json.js';
import type { Signer } from '../keys/keys.js';
import { decodeCbor, decodeEmbedded } from './cbor/decode.js';
import { embed, encodeCbor, encodeEmbedded } from './cbor/encode.js';
import { type CborKey, type CborValue, EncodedCbor } from './cbor/types.js';
import { COSE_HEADER, parseCoseMessage, signSign1, verifySign1, x5chain } from './cose/sign1.js';
import { asMap, MDOC_CBOR_LIMITS, text } from './mso.js';
import { type SessionTranscript, transcriptItem } from './transcript.js';
import type { Certificate } from './x509/certificate.js';
import type { MdocTrustStore } from './x509/trust.js';

/** Extended key usage of an mdoc reader authentication certificate (18013-5 Annex B.1.7). */
export const READER_AUTH_EKU = '1.0.18013.5.1.6';

/** What one DocRequest asks: namespace → element identifier → intent to retain. */
export type RequestedElements = Readonly<Record<string, Readonly<Record<string, boolean>>>>;

/** One parsed DocRequest. */
export interface DocRequest {
  readonly docType: string;
  readonly nameSpaces: RequestedElements;
  /** ItemsRequestBytes as received (reader authentication covers them). */
  readonly itemsRequestBytes: EncodedCbor;
  /** ReaderAuth, when the reader signed the request. */
  readonly readerAuth?: CborValue;
}

/** Options of {@link encodeDeviceRequest}: documents asked for, optionally reader-signed. */
export interface EncodeDeviceRequestOptions {
  readonly docRequests: readonly {
    readonly docType: string;
    readonly nameSpaces: RequestedElements;
  }[];
  /** Sign each ItemsRequest with the reader key (needs the transcript and the reader certificate). */
  readonly readerAuth?: {
    readonly signer: Signer;
    readonly certificate: Uint8Array;
    readonly sessionTranscript: SessionTranscript;
  };
}

function readerAuthenticationBytes(transcript: SessionTranscript, items: EncodedCbor): Uint8Array {
  return embed(encodeCbor(['ReaderAuthentication', transcriptItem(transcript), items])).tagged;
}

/** Encode a DeviceRequest (version 1.0). */
export async function encodeDeviceRequest(
  options: EncodeDeviceRequestOptions,
): Promise<Uint8Array> {
  const docRequests: CborValue[] = [];
  for (const r of options.docRequests) {
    const items = encodeEmbedded(
      new Map<CborKey, CborValue>([
        ['docType', r.docType],
        [
          'nameSpaces',
          new Map(
            Object.entries(r.nameSpaces).map(([ns, ids]) => [ns, new Map(Object.entries(ids))]),
          ),
        ],
      ]),
    );
    const doc = new Map<CborKey, CborValue>([['itemsRequest', items]]);
    if (options.readerAuth !== undefined) {
      const { signer, certificate, sessionTranscript } = options.readerAuth;
      doc.set(
        'readerAuth',
        await signSign1({
          signer,
          payload: readerAuthenticationBytes(sessionTranscript, items),
          detached: true,
          unprotectedHeaders: new Map([[COSE_HEADER.x5chain, certificate]]),
        }),
      );
    }
    docRequests.push(doc);
  }
  return encodeCbor(
    new Map<CborKey, CborValue>([
      ['version', '1.0'],
      ['docRequests', docRequests],
    ]),
  );
}

/**
 * Parse a DeviceRequest.
 *
 * @throws OpenMidError `ERR_MDOC_MALFORMED` or a CBOR code.
 */
export function parseDeviceRequest(bytes: Uint8Array): readonly DocRequest[] {
  const map = asMap(decodeCbor(bytes, MDOC_CBOR_LIMITS), 'DeviceRequest');
  if (!/^1\.\d+$/.test(text(map, 'version')))
    throw new OpenMidError('ERR_MDOC_MALFORMED', 'Unsupported DeviceRequest version');
  const list = map.get('docRequests');
  if (!Array.isArray(list) || list.length === 0)
    throw new OpenMidError('ERR_MDOC_MALFORMED', 'docRequests must be a non-empty array');
  return (list as readonly CborValue[]).map((d) => {
    const doc = asMap(d, 'DocRequest');
    const itemsBytes = doc.get('itemsRequest');
    if (!(itemsBytes instanceof EncodedCbor))
      throw new OpenMidError('ERR_MDOC_MALFORMED', 'itemsRequest must be ItemsRequestBytes');
    const items = asMap(decodeEmbedded(itemsBytes, MDOC_CBOR_LIMITS), 'ItemsRequest');
    const nameSpaces: Record<string, Record<string, boolean>> = Object.create(null);
    for (const [ns, ids] of asMap(items.get('nameSpaces') ?? null, 'nameSpaces')) {
      const out: Record<string, boolean> = Object.create(null);
      for (const [id, retain] of asMap(ids, 'nameSpaces')) {
        if (typeof ns !== 'string' || typeof id !== 'string' || typeof retain !== 'boolean')
          throw new OpenMidError('ERR_MDOC_MALFORMED', 'nameSpaces maps identifiers to booleans');
        defineOwn(out, id, retain);
      }
      defineOwn(nameSpaces, ns as string, out);
    }
    const readerAuth = doc.get('readerAuth');
    return {
      docType: text(items, 'docType'),
      nameSpaces,
      itemsRequestBytes: itemsBytes,
      ...(readerAuth === undefined ? {} : { readerAuth }),
    };
  });
}

/** Options of {@link verifyReaderAuth}. */
export interface VerifyReaderAuthOptions {
  /** Trust store of reader roots, built with `documentSignerEku: READER_AUTH_EKU` (or false). */
  readonly trust: MdocTrustStore;
  readonly sessionTranscript: SessionTranscript;
  /** Current time in seconds (default now). */
  readonly now?: number;
}

/**
 * Verify a DocRequest's reader authentication: the reader certificate chains to a trusted reader
 * root, is valid now, and signed ReaderAuthentication for this transcript and these items.
 * Returns the reader certificate (its subject is what the wallet shows).
 *
 * @throws OpenMidError `ERR_MDOC_ISSUER_UNTRUSTED` (reader chain), `ERR_COSE_*`,
 *   `ERR_MDOC_MALFORMED` (no readerAuth).
 * @see ISO/IEC 18013-5 §9.1.4
 */
export async function verifyReaderAuth(
  request: DocRequest,
  options: VerifyReaderAuthOptions,
): Promise<Certificate> {
  if (request.readerAuth === undefined)
    throw new OpenMidError('ERR_MDOC_MALFORMED', 'The request is not reader-authenticated');
  const message = parseCoseMessage(request.readerAuth);
  const reader = await options.trust.documentSigner(x5chain(message));
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (now < reader.notBefore || now > reader.notAfter)
    throw new OpenMidError('ERR_MDOC_ISSUER_UNTRUSTED', 'The reader certificate is not valid now', {
      details: { reason: 'certificate_not_valid_now' },
    });
  await verifySign1(message, reader.verifier, {
    detachedPayload: readerAuthenticationBytes(
      options.sessionTranscript,
      request.itemsRequestBytes,
    ),
  });
  return reader.certificate;
}
