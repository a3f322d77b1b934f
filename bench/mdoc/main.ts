/**
 * bench/mdoc — DeviceResponse verification (issue 7 §4).
 *
 * A Korean mobile driving licence as an ISO/IEC 18013-5 mDL with 12 data elements (two
 * namespaces, portrait left out as in bench/verify), 3 disclosed (name, licence classes,
 * age_over_19), DeviceAuth by signature over an OpenID4VP 1.0 SessionTranscript. Every response
 * comes from a different holder (its own device key in its own MSO) and a different transaction
 * (its own nonce). Reported from ONE run, against references measured in the same run:
 * - raw limit: the two ES256 verifications (IssuerAuth with the cached document-signer key, and
 *   DeviceAuth after importing the holder's key from its JWK) and the SHA-256 digests of the three
 *   disclosed IssuerSignedItemBytes, directly with node:crypto, on the very same bytes;
 * - @auth0/mdl 3.0.1 `Verifier.verify` on the same responses, with the same IACA as trust anchor.
 * Ours: `verifyDeviceResponse` with `useNodeCrypto()` and an IACA trust store (the DS chain is
 * validated once per DS certificate and cached; every time check runs each call).
 * Targets: ≥ 0.7 of the raw limit, ≥ 3× @auth0/mdl.
 */
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { Verifier as Auth0Verifier } from '@auth0/mdl';
import { generateKeyPair } from '@openmid/core/keys';
import {
  type CborKey,
  type CborValue,
  createDemoPki,
  createDeviceResponse,
  createTrustStore,
  decodeCbor,
  deviceAuthenticationBytes,
  type EncodedCbor,
  issueMdoc,
  KR_LICENCE_ELEMENTS,
  KR_MDL_NAMESPACE,
  koreanLicenceToMdl,
  MDL_NAMESPACE,
  openid4vpSessionTranscript,
  type SessionTranscript,
  sigStructure,
  verifyDeviceResponse,
} from '@openmid/core/mdoc';
import { useNodeCrypto } from '@openmid/core/node';
import { buildSubjectClaims, DRIVING_LICENCE } from '@openmid/profile-kr';
import { citizenAt, claimsFor } from '@openmid/testing/citizens';
import { compare, printTable, target } from '../lib.js';

useNodeCrypto();
const N = 256;
const NOW = Math.floor(Date.now() / 1000);

// A licence with exactly 12 data elements: 10 ISO, 2 Korean.
const claims = buildSubjectClaims(
  DRIVING_LICENCE,
  claimsFor('driving-licence', citizenAt('bench', 1), { issuedAt: NOW }),
  { issuedAt: NOW },
);
const full = koreanLicenceToMdl(claims, { issuedAt: NOW });
const KEEP: Record<string, readonly string[]> = {
  [MDL_NAMESPACE]: [
    'family_name',
    'given_name',
    'birth_date',
    'issue_date',
    'expiry_date',
    'issuing_country',
    'issuing_authority',
    'document_number',
    'driving_privileges',
    'age_over_19',
  ],
  [KR_MDL_NAMESPACE]: ['name', 'licence_classes'],
};
const nameSpaces = new Map(
  Object.entries(KEEP).map(([ns, ids]) => [
    ns,
    new Map(ids.map((id) => [id, full.nameSpaces.get(ns)?.get(id) as CborValue])),
  ]),
);
const DISCLOSE: Record<string, string[]> = {};
for (const claim of ['name', 'licence_classes', 'age_over_19']) {
  const [ns, element] = KR_LICENCE_ELEMENTS[claim] as readonly [string, string];
  DISCLOSE[ns] = [...(DISCLOSE[ns] ?? []), element];
}
if ([...nameSpaces.values()].reduce((n, m) => n + m.size, 0) !== 12)
  throw new Error('bench elements');

const pki = await createDemoPki();
const trust = await createTrustStore({ iacas: [pki.iaca.der] });
const auth0 = new Auth0Verifier([pki.iaca.pem]);

interface Sample {
  readonly response: Uint8Array;
  readonly transcript: SessionTranscript;
  readonly transcriptBytes: Buffer;
  // raw parts
  readonly issuerInput: Uint8Array;
  readonly issuerSig: Uint8Array;
  readonly deviceInput: Uint8Array;
  readonly deviceSig: Uint8Array;
  readonly holderJwk: import('node:crypto').JsonWebKey;
  readonly items: readonly Uint8Array[];
}

console.log(`preparing ${N} DeviceResponses (fresh holder key and transaction each)…`);
const samples: Sample[] = [];
for (let i = 0; i < N; i++) {
  const holder = await generateKeyPair('ES256');
  const { issuerSigned } = await issueMdoc({
    docType: full.docType,
    nameSpaces,
    deviceKey: holder.publicJwk,
    signer: pki.signer,
    certificate: pki.documentSigner.der,
    validity: { signed: NOW - 60, validUntil: NOW + 365 * 86_400 },
  });
  const transcript = openid4vpSessionTranscript({
    clientId: 'x509_san_dns:rental.openmid.example',
    nonce: `bench-nonce-${i}`,
    responseUri: 'https://rental.openmid.example/response',
  });
  const response = await createDeviceResponse({
    documents: [{ mdoc: issuerSigned, disclose: DISCLOSE, deviceSigner: holder.signer }],
    sessionTranscript: transcript,
  });
  // The raw parts, extracted once, outside the measurement.
  const doc = (
    (decodeCbor(response) as Map<CborKey, CborValue>).get('documents') as Map<CborKey, CborValue>[]
  )[0] as Map<CborKey, CborValue>;
  const is = doc.get('issuerSigned') as Map<CborKey, CborValue>;
  const auth = is.get('issuerAuth') as [Uint8Array, unknown, Uint8Array, Uint8Array];
  const ds = doc.get('deviceSigned') as Map<CborKey, CborValue>;
  const devSig = (ds.get('deviceAuth') as Map<CborKey, CborValue>).get('deviceSignature') as [
    Uint8Array,
    unknown,
    null,
    Uint8Array,
  ];
  const items = [...(is.get('nameSpaces') as Map<string, EncodedCbor[]>).values()]
    .flat()
    .map((e) => e.tagged);
  samples.push({
    response,
    transcript,
    transcriptBytes: Buffer.from(transcript.tagged),
    issuerInput: sigStructure(auth[0], auth[2]),
    issuerSig: auth[3],
    deviceInput: sigStructure(
      devSig[0],
      deviceAuthenticationBytes(transcript, full.docType, ds.get('nameSpaces') as EncodedCbor),
    ),
    deviceSig: devSig[3],
    holderJwk: holder.publicJwk as unknown as import('node:crypto').JsonWebKey,
    items,
  });
}

const dsKey: KeyObject = createPublicKey({
  key: pki.signer.publicJwk as unknown as import('node:crypto').JsonWebKey,
  format: 'jwk',
});
const P1363 = 'ieee-p1363' as const;
function rawVerify(s: Sample): boolean {
  let ok = verify('sha256', s.issuerInput, { key: dsKey, dsaEncoding: P1363 }, s.issuerSig);
  for (const item of s.items) ok = ok && createHash('sha256').update(item).digest().length === 32;
  const holder = createPublicKey({ key: s.holderJwk, format: 'jwk' });
  return ok && verify('sha256', s.deviceInput, { key: holder, dsaEncoding: P1363 }, s.deviceSig);
}

function ours(s: Sample) {
  return verifyDeviceResponse(s.response, { trust, sessionTranscript: s.transcript, now: NOW });
}

// Sanity: every verifier accepts every sample; ours sees exactly the three elements.
for (const s of samples) {
  if (!rawVerify(s)) throw new Error('raw: invalid');
  const { documents } = await ours(s);
  const seen = Object.values(documents[0]?.nameSpaces ?? {}).reduce(
    (n, e) => n + Object.keys(e).length,
    0,
  );
  if (seen !== 3) throw new Error('ours: wrong elements');
  await auth0.verify(s.response, { encodedSessionTranscript: s.transcriptBytes });
}

let k = 0;
const next = (): Sample => {
  k = (k + 1) % N;
  return samples[k] as Sample;
};
const results = await compare([
  { name: 'raw limit (node:crypto, device key imported)', fn: () => rawVerify(next()) },
  { name: 'OpenMID verifyDeviceResponse', fn: () => ours(next()) },
  {
    name: '@auth0/mdl 3.0.1 Verifier.verify',
    fn: () => {
      const s = next();
      return auth0.verify(s.response, { encodedSessionTranscript: s.transcriptBytes });
    },
  },
]);
printTable(
  'Verify an mDL DeviceResponse (12 elements, 3 disclosed, DeviceSignature, IACA chain cached), one core',
  results,
);
const [, mine, theirs] = results as [(typeof results)[0], (typeof results)[0], (typeof results)[0]];
console.log(target('verify / raw limit', mine.ratio, 0.7));
console.log(target('verify / @auth0/mdl', mine.opsPerSec / theirs.opsPerSec, 3));
console.log(
  `      response size ${samples[0]?.response.length} bytes; work per response: 2 ES256 verifications, 1 JWK import, 3 SHA-256`,
);
