/**
 * Hostile and broken mdocs: one test per verification step of ISO/IEC 18013-5 §9.3 (and per
 * SECURITY.md "mdoc / CBOR" line), each asserting its code. Responses are tampered by decoding
 * them with our own decoder, changing one thing, and re-encoding (tag-24 items keep their bytes
 * unless the test replaces them). Errors must carry no element value (values contain SECRET).
 */
import { describe, expect, test } from 'vitest';
import { isOpenMidError } from '../errors/error.js';
import { generateKeyPair, type Signer } from '../keys/index.js';
import { decodeCbor, decodeEmbedded } from './cbor/decode.js';
import { encodeCbor, encodeEmbedded } from './cbor/encode.js';
import type { CborKey, CborValue, EncodedCbor } from './cbor/types.js';
import { COSE_HEADER, signSign1 } from './cose/sign1.js';
import { type IssueMdocOptions, issueMdoc } from './issue.js';
import { createDeviceResponse } from './present.js';
import { openid4vpSessionTranscript, type SessionTranscript } from './transcript.js';
import { fullDate } from './values.js';
import { type VerifyDeviceResponseOptions, verifyDeviceResponse } from './verify.js';
import { createDemoPki, createDocumentSigner } from './x509/create.js';
import { createTrustStore } from './x509/trust.js';

const SECRET = 'SECRET-51c0';
const NOW = Math.floor(Date.now() / 1000);
const DAY = 86_400;
const DOCTYPE = 'org.iso.18013.5.1.mDL';
const NS = 'org.iso.18013.5.1';

const pki = await createDemoPki();
const otherPki = await createDemoPki({ name: 'Other' });
const trust = await createTrustStore({ iacas: [pki.iaca.der] });
const holder = await generateKeyPair('ES256');
const stranger = await generateKeyPair('ES256');
const transcript = openid4vpSessionTranscript({
  clientId: 'x509_san_dns:rental.openmid.example',
  nonce: 'nonce-hostile-1',
  responseUri: 'https://rental.openmid.example/response',
});

const ELEMENTS = {
  family_name: `HONG ${SECRET}`,
  given_name: `GILDONG ${SECRET}`,
  birth_date: fullDate('1990-01-01'),
  issuing_country: 'KR',
  age_over_19: true,
  document_number: `11-23-123456-10 ${SECRET}`,
};

async function issue(overrides: Partial<IssueMdocOptions> = {}): Promise<Uint8Array> {
  const { issuerSigned } = await issueMdoc({
    docType: DOCTYPE,
    nameSpaces: { [NS]: ELEMENTS },
    deviceKey: holder.publicJwk,
    signer: pki.signer,
    certificate: pki.documentSigner.der,
    validity: { signed: NOW - 60, validUntil: NOW + 30 * DAY },
    ...overrides,
  });
  return issuerSigned;
}

async function present(
  issuerSigned: Uint8Array,
  options: { signer?: Signer; transcript?: SessionTranscript; disclose?: readonly string[] } = {},
): Promise<Uint8Array> {
  return createDeviceResponse({
    documents: [
      {
        mdoc: issuerSigned,
        disclose: { [NS]: options.disclose ?? ['family_name', 'age_over_19', 'issuing_country'] },
        deviceSigner: options.signer ?? holder.signer,
      },
    ],
    sessionTranscript: options.transcript ?? transcript,
  });
}

const policy: VerifyDeviceResponseOptions = { trust, sessionTranscript: transcript, now: NOW };

async function rejects(
  response: Uint8Array,
  code: string,
  extra: Partial<VerifyDeviceResponseOptions> = {},
) {
  const err = await verifyDeviceResponse(response, { ...policy, ...extra }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isOpenMidError(err)).toBe(true);
  expect(err).toMatchObject({ code });
  expect(JSON.stringify(err)).not.toContain(SECRET);
  expect(String((err as Error).message)).not.toContain(SECRET);
}

/** Decode a DeviceResponse, let `f` change the first document, re-encode. */
function tamper(response: Uint8Array, f: (doc: Map<CborKey, CborValue>) => void): Uint8Array {
  const r = decodeCbor(response) as Map<CborKey, CborValue>;
  const doc = (r.get('documents') as Map<CborKey, CborValue>[])[0] as Map<CborKey, CborValue>;
  f(doc);
  return encodeCbor(r);
}

function items(doc: Map<CborKey, CborValue>): EncodedCbor[] {
  const issuerSigned = doc.get('issuerSigned') as Map<CborKey, CborValue>;
  return (issuerSigned.get('nameSpaces') as Map<string, EncodedCbor[]>).get(NS) as EncodedCbor[];
}

function withItem(item: EncodedCbor, f: (m: Map<CborKey, CborValue>) => void): EncodedCbor {
  const m = decodeEmbedded(item) as Map<CborKey, CborValue>;
  f(m);
  return encodeEmbedded(m);
}

/** Present a genuine mdoc, then swap in the IssuerSigned parts of `issuerSigned` (which the holder API would refuse to read). */
async function presentBroken(issuerSigned: Uint8Array): Promise<Uint8Array> {
  const source = decodeCbor(issuerSigned) as Map<CborKey, CborValue>;
  return tamper(await present(await issue()), (doc) => {
    (doc.get('issuerSigned') as Map<CborKey, CborValue>).set(
      'issuerAuth',
      source.get('issuerAuth') as CborValue,
    );
  });
}

/** Re-sign IssuerSigned after changing its MSO with `f` (what a compromised issuer could do). */
async function resign(
  issuerSigned: Uint8Array,
  f: (mso: Map<CborKey, CborValue>) => void,
  signer: Signer = pki.signer,
  certificate: Uint8Array = pki.documentSigner.der,
): Promise<Uint8Array> {
  const s = decodeCbor(issuerSigned) as Map<CborKey, CborValue>;
  const auth = s.get('issuerAuth') as CborValue[];
  const payload = decodeCbor(auth[2] as Uint8Array) as EncodedCbor;
  const mso = decodeEmbedded(payload) as Map<CborKey, CborValue>;
  f(mso);
  s.set(
    'issuerAuth',
    await signSign1({
      signer,
      payload: encodeEmbedded(mso).tagged,
      unprotectedHeaders: new Map([[COSE_HEADER.x5chain, certificate]]),
    }),
  );
  return encodeCbor(s);
}

describe('a genuine response verifies (the baseline every hostile case departs from)', () => {
  test('issue → present → verify', async () => {
    const { documents } = await verifyDeviceResponse(await present(await issue()), policy);
    expect(Object.keys(documents[0]?.nameSpaces[NS] ?? {}).sort()).toEqual([
      'age_over_19',
      'family_name',
      'issuing_country',
    ]);
    expect(documents[0]?.deviceAuth).toBe('signature');
    expect(documents[0]?.issuer.country).toBe('KR');
  });
});

describe('issuer data (18013-5 §9.3.1 steps 2–5)', () => {
  test('an altered element value is a digest mismatch', async () => {
    const r = tamper(await present(await issue()), (doc) => {
      const list = items(doc);
      list[0] = withItem(list[0] as EncodedCbor, (m) => m.set('elementValue', 'KIM'));
    });
    await rejects(r, 'ERR_MDOC_DIGEST_MISMATCH');
  });

  test('an element moved under another identifier is a digest mismatch', async () => {
    const r = tamper(await present(await issue()), (doc) => {
      const list = items(doc);
      list[0] = withItem(list[0] as EncodedCbor, (m) => m.set('elementIdentifier', 'given_name'));
    });
    await rejects(r, 'ERR_MDOC_DIGEST_MISMATCH');
  });

  test('an element not covered by a digest is refused', async () => {
    const r = tamper(await present(await issue()), (doc) => {
      const list = items(doc);
      list.push(
        encodeEmbedded(
          new Map<CborKey, CborValue>([
            ['digestID', 4242],
            ['random', new Uint8Array(32)],
            ['elementIdentifier', 'age_over_65'],
            ['elementValue', true],
          ]),
        ),
      );
    });
    await rejects(r, 'ERR_MDOC_DIGEST_MISSING');
  });

  test('an element in a namespace the MSO has no digests for is refused', async () => {
    const r = tamper(await present(await issue()), (doc) => {
      const ns = (doc.get('issuerSigned') as Map<CborKey, CborValue>).get('nameSpaces') as Map<
        string,
        EncodedCbor[]
      >;
      ns.set('kr.openmid.mdl.1', [...(ns.get(NS) as EncodedCbor[])]);
    });
    await rejects(r, 'ERR_MDOC_DIGEST_MISSING');
  });

  test('the same element disclosed twice is refused', async () => {
    const r = tamper(await present(await issue()), (doc) => {
      const list = items(doc);
      list.push(list[0] as EncodedCbor);
    });
    await rejects(r, 'ERR_MDOC_ELEMENT_DUPLICATE');
  });

  test('a Document docType other than the MSO docType is refused', async () => {
    const r = tamper(await present(await issue()), (doc) =>
      doc.set('docType', 'org.iso.23220.photoid.1'),
    );
    await rejects(r, 'ERR_MDOC_DOCTYPE_MISMATCH');
  });

  test('an MSO for another docType is refused, even when consistent', async () => {
    const r = await present(await issue({ docType: 'org.example.other' }));
    await rejects(r, 'ERR_MDOC_DOCTYPE_MISMATCH', { docTypes: [DOCTYPE] });
  });

  test('a changed MSO no longer verifies', async () => {
    const r = tamper(await present(await issue()), (doc) => {
      const auth = (doc.get('issuerSigned') as Map<CborKey, CborValue>).get(
        'issuerAuth',
      ) as CborValue[];
      const payload = (auth[2] as Uint8Array).slice();
      payload[payload.length - 3] = (payload[payload.length - 3] as number) ^ 1;
      auth[2] = payload;
    });
    const err = await verifyDeviceResponse(r, policy).catch((e) => e);
    expect(['ERR_MDOC_ISSUER_AUTH_INVALID', 'ERR_CBOR_MALFORMED', 'ERR_MDOC_MALFORMED']).toContain(
      err.code,
    );
    // A change that keeps the MSO well-formed: another validUntil, same length.
    const genuine = await issue();
    const s = decodeCbor(genuine) as Map<CborKey, CborValue>;
    const auth = s.get('issuerAuth') as CborValue[];
    const hex = [...(auth[2] as Uint8Array)].map((b) => String.fromCharCode(b)).join('');
    const year = new Date((NOW + 30 * DAY) * 1000).getUTCFullYear();
    const i = hex.lastIndexOf(String(year));
    const payload = (auth[2] as Uint8Array).slice();
    payload[i + 3] = (payload[i + 3] as number) + 1 > 0x39 ? 0x30 : (payload[i + 3] as number) + 1;
    auth[2] = payload;
    await rejects(await present(encodeCbor(s)), 'ERR_MDOC_ISSUER_AUTH_INVALID');
  });

  test('an MSO signed by another key under the genuine DS certificate is refused', async () => {
    const forged = await resign(await issue(), () => {}, stranger.signer);
    await rejects(await present(forged), 'ERR_MDOC_ISSUER_AUTH_INVALID');
  });

  test('an unsupported digest algorithm is refused', async () => {
    const bad = await resign(await issue(), (mso) => mso.set('digestAlgorithm', 'MD5'));
    await rejects(await presentBroken(bad), 'ERR_MDOC_DIGEST_ALG_UNSUPPORTED');
  });

  test('alg in the unprotected bucket is refused', async () => {
    const r = tamper(await present(await issue()), (doc) => {
      const auth = (doc.get('issuerSigned') as Map<CborKey, CborValue>).get(
        'issuerAuth',
      ) as CborValue[];
      (auth[1] as Map<CborKey, CborValue>).set(COSE_HEADER.alg, -7);
    });
    await rejects(r, 'ERR_COSE_HEADER_INVALID');
  });

  test('issuing_country must be the DS certificate country', async () => {
    const r = await present(
      await issue({ nameSpaces: { [NS]: { ...ELEMENTS, issuing_country: 'JP' } } }),
    );
    await rejects(r, 'ERR_MDOC_ISSUING_COUNTRY_MISMATCH');
  });
});

describe('trust (18013-5 §9.3.3)', () => {
  test('an mdoc of an untrusted IACA is refused', async () => {
    const r = await present(
      await issue({ signer: otherPki.signer, certificate: otherPki.documentSigner.der }),
    );
    await rejects(r, 'ERR_MDOC_ISSUER_UNTRUSTED');
  });

  test('a DS certificate not signed by the trusted IACA is refused', async () => {
    const forger = await generateKeyPair('ES256');
    const forgedDs = await createDocumentSigner({
      iaca: { certificate: pki.iaca.der, signer: forger.signer },
      publicKey: forger.publicJwk,
      subject: { commonName: 'OpenMID Demo DS', country: 'KR' },
      notBefore: NOW - 60,
      notAfter: NOW + 30 * DAY,
    });
    const r = await present(await issue({ signer: forger.signer, certificate: forgedDs.der }));
    await rejects(r, 'ERR_MDOC_ISSUER_UNTRUSTED');
  });

  test('an IssuerAuth without x5chain is refused', async () => {
    const r = tamper(await present(await issue()), (doc) => {
      const auth = (doc.get('issuerSigned') as Map<CborKey, CborValue>).get(
        'issuerAuth',
      ) as CborValue[];
      auth[1] = new Map();
    });
    await rejects(r, 'ERR_MDOC_ISSUER_UNTRUSTED');
  });

  test('a DS certificate expired at verification time is refused', async () => {
    const shortLived = await createDemoPki({ notBefore: NOW - 20 * DAY, documentSignerDays: 10 });
    const r = await present(
      await issue({
        signer: shortLived.signer,
        certificate: shortLived.documentSigner.der,
        validity: { signed: NOW - 15 * DAY, validUntil: NOW + 30 * DAY },
      }),
    );
    const t = await createTrustStore({ iacas: [shortLived.iaca.der] });
    await rejects(r, 'ERR_MDOC_ISSUER_UNTRUSTED', { trust: t });
  });

  test('an MSO signed outside the DS certificate validity is refused', async () => {
    const r = await present(
      await issue({ validity: { signed: NOW - 2 * DAY, validUntil: NOW + DAY } }),
    );
    await rejects(r, 'ERR_MDOC_VALIDITY_INVALID');
  });
});

describe('validity (18013-5 §9.3.1 step 5)', () => {
  test('an expired MSO is refused', async () => {
    const r = await present(await issue());
    await rejects(r, 'ERR_MDOC_EXPIRED', { now: NOW + 31 * DAY });
  });

  test('an MSO not valid yet is refused', async () => {
    const r = await present(
      await issue({
        validity: { signed: NOW - 60, validFrom: NOW + DAY, validUntil: NOW + 30 * DAY },
      }),
    );
    await rejects(r, 'ERR_MDOC_NOT_YET_VALID');
  });

  test('an MSO signed in the future is refused', async () => {
    const r = await present(
      await issue({ validity: { signed: NOW + 3600, validUntil: NOW + 30 * DAY } }),
    );
    await rejects(r, 'ERR_MDOC_NOT_YET_VALID');
  });

  test('validUntil before validFrom is refused', async () => {
    const bad = await resign(await issue(), (mso) => {
      const v = mso.get('validityInfo') as Map<string, CborValue>;
      v.set('validUntil', v.get('signed') as CborValue);
    });
    await rejects(await presentBroken(bad), 'ERR_MDOC_VALIDITY_INVALID');
  });
});

describe('DeviceAuth (18013-5 §9.1.3)', () => {
  test('DeviceAuth over another transcript is refused', async () => {
    const other = openid4vpSessionTranscript({
      clientId: 'x509_san_dns:rental.openmid.example',
      nonce: 'nonce-hostile-2',
      responseUri: 'https://rental.openmid.example/response',
    });
    await rejects(
      await present(await issue(), { transcript: other }),
      'ERR_MDOC_DEVICE_AUTH_INVALID',
    );
  });

  test('a device signature by another key is refused', async () => {
    // Build the other device's response for the same transcript and graft its DeviceSigned.
    const theirs = await createDeviceResponse({
      documents: [
        {
          mdoc: await issue({ deviceKey: stranger.publicJwk }),
          disclose: { [NS]: ['family_name'] },
          deviceSigner: stranger.signer,
        },
      ],
      sessionTranscript: transcript,
    });
    const theirDoc = (
      (decodeCbor(theirs) as Map<CborKey, CborValue>).get('documents') as Map<CborKey, CborValue>[]
    )[0] as Map<CborKey, CborValue>;
    const grafted = tamper(await present(await issue()), (doc) => {
      doc.set('deviceSigned', theirDoc.get('deviceSigned') as CborValue);
    });
    await rejects(grafted, 'ERR_MDOC_DEVICE_AUTH_INVALID');
  });

  test('the holder API refuses to sign with a key the mdoc is not bound to', async () => {
    await expect(present(await issue(), { signer: stranger.signer })).rejects.toMatchObject({
      code: 'ERR_INPUT_INVALID',
    });
  });

  test('device-signed elements are covered by DeviceAuth', async () => {
    const r = tamper(await present(await issue()), (doc) => {
      const ds = doc.get('deviceSigned') as Map<CborKey, CborValue>;
      ds.set('nameSpaces', encodeEmbedded(new Map([[NS, new Map([['age_over_65', true]])]])));
    });
    await rejects(r, 'ERR_MDOC_DEVICE_AUTH_INVALID');
  });

  test('a missing deviceAuth, or both kinds at once, are refused', async () => {
    const none = tamper(await present(await issue()), (doc) => {
      (doc.get('deviceSigned') as Map<CborKey, CborValue>).set('deviceAuth', new Map());
    });
    await rejects(none, 'ERR_MDOC_DEVICE_AUTH_INVALID');
    const both = tamper(await present(await issue()), (doc) => {
      const auth = (doc.get('deviceSigned') as Map<CborKey, CborValue>).get('deviceAuth') as Map<
        CborKey,
        CborValue
      >;
      auth.set('deviceMac', auth.get('deviceSignature') as CborValue);
    });
    await rejects(both, 'ERR_MDOC_DEVICE_AUTH_INVALID');
  });

  test('a device signature with an attached payload other than DeviceAuthenticationBytes is refused', async () => {
    const r = tamper(await present(await issue()), (doc) => {
      const auth = (doc.get('deviceSigned') as Map<CborKey, CborValue>).get('deviceAuth') as Map<
        CborKey,
        CborValue
      >;
      (auth.get('deviceSignature') as CborValue[])[2] = new Uint8Array([1]);
    });
    await rejects(r, 'ERR_MDOC_DEVICE_AUTH_INVALID');
  });
});

describe('DeviceResponse structure and CBOR', () => {
  test('a status other than OK is refused', async () => {
    const r = decodeCbor(await present(await issue())) as Map<CborKey, CborValue>;
    r.set('status', 10);
    await rejects(encodeCbor(r), 'ERR_MDOC_RESPONSE_NOT_OK');
    r.set('status', 0);
    r.delete('documents');
    await rejects(encodeCbor(r), 'ERR_MDOC_RESPONSE_NOT_OK');
  });

  test('a document without deviceSigned is refused', async () => {
    await rejects(
      tamper(await present(await issue()), (doc) => doc.delete('deviceSigned')),
      'ERR_MDOC_MALFORMED',
    );
  });

  test('an indefinite-length response is refused', async () => {
    const r = await present(await issue());
    const indefinite = new Uint8Array([0xbf, ...r.subarray(1), 0xff]);
    await rejects(indefinite, 'ERR_CBOR_INDEFINITE_LENGTH');
  });

  test('a duplicate key in the response is refused', async () => {
    const r = await present(await issue());
    // version → "1.0" twice: a3 → a4 and a second "version" member prepended.
    const dup = new Uint8Array([
      0xa4,
      0x67,
      ...new TextEncoder().encode('version'),
      0x63,
      0x31,
      0x2e,
      0x30,
      ...r.subarray(1),
    ]);
    await rejects(dup, 'ERR_CBOR_DUPLICATE_KEY');
  });

  test('a response over the size limit is refused before parsing', async () => {
    await rejects(await present(await issue()), 'ERR_CBOR_TOO_LARGE', { maxBytes: 100 });
  });

  test('a __proto__ element identifier is data, not a prototype', async () => {
    const r = await present(
      await issue({
        nameSpaces: new Map([
          [
            NS,
            new Map<string, CborValue>([
              ...Object.entries(ELEMENTS),
              ['__proto__', new Map([['polluted', true]])],
            ]),
          ],
        ]),
      }),
      { disclose: ['__proto__', 'family_name'] },
    );
    const { documents } = await verifyDeviceResponse(r, policy);
    const mdl = documents[0]?.nameSpaces[NS] as Record<string, CborValue>;
    expect(Object.hasOwn(mdl, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(mdl)).toBeNull();
  });
});

describe('status (draft-ietf-oauth-status-list)', () => {
  const status = { idx: 7, uri: 'https://police.openmid.example/status/1' };

  test('calls the hook last with the MSO reference, and passes its code on', async () => {
    const r = await present(await issue({ status }));
    let seen: unknown;
    await verifyDeviceResponse(r, {
      ...policy,
      status: async (claim) => {
        seen = claim;
      },
    });
    expect(seen).toEqual({ status_list: status });
    await rejects(r, 'ERR_STATUS_REVOKED', {
      status: async () => {
        const { OpenMidError } = await import('../errors/error.js');
        throw new OpenMidError('ERR_STATUS_REVOKED');
      },
    });
    await rejects(r, 'ERR_STATUS_UNKNOWN', {
      status: async () => {
        throw new Error('network');
      },
    });
  });

  test('the status hook is not reached when DeviceAuth fails', async () => {
    let called = false;
    const other = openid4vpSessionTranscript({
      clientId: 'c',
      nonce: 'n',
      responseUri: 'https://r.example',
    });
    await rejects(
      await present(await issue({ status }), { transcript: other }),
      'ERR_MDOC_DEVICE_AUTH_INVALID',
      {
        status: async () => {
          called = true;
        },
      },
    );
    expect(called).toBe(false);
  });

  test('requireStatus refuses an mdoc without a status reference', async () => {
    await rejects(await present(await issue()), 'ERR_STATUS_REFERENCE_INVALID', {
      requireStatus: true,
    });
  });
});
