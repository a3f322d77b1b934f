/**
 * Round trips with random data (fast-check): random namespaces and element values are issued,
 * a random selection is presented over a random OpenID4VP transcript, and the verifier sees
 * exactly the selected elements with their values — and nothing verifies over another transcript.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { generateKeyPair } from '../keys/index.js';
import type { CborValue } from './cbor/types.js';
import { issueMdoc } from './issue.js';
import { createDeviceResponse } from './present.js';
import { openid4vpSessionTranscript } from './transcript.js';
import { fullDate, mdocValueToJson } from './values.js';
import { verifyDeviceResponse } from './verify.js';
import { createDemoPki } from './x509/create.js';
import { createTrustStore } from './x509/trust.js';

const NOW = Math.floor(Date.now() / 1000);
const pki = await createDemoPki();
const trust = await createTrustStore({ iacas: [pki.iaca.pem] });
const holder = await generateKeyPair('ES256');

const identifier = fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/);
const value: fc.Arbitrary<CborValue> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.integer(),
  fc.boolean(),
  fc.uint8Array({ maxLength: 64 }),
  fc
    .date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true })
    .map((d) => fullDate(d.toISOString().slice(0, 10))),
  fc.array(fc.dictionary(identifier, fc.string({ maxLength: 8 }), { maxKeys: 3 }), {
    maxLength: 3,
  }),
);
const namespace = fc.dictionary(identifier, value, { minKeys: 1, maxKeys: 8 });
const nameSpaces = fc.dictionary(
  fc.constantFrom('org.iso.18013.5.1', 'kr.openmid.mdl.1', 'org.example.x'),
  namespace,
  {
    minKeys: 1,
    maxKeys: 3,
  },
);

describe('issue → present → verify (18013-5 §9.1.2, §9.1.3, §9.3)', () => {
  test('the verifier sees exactly the selected elements, and only over this transcript', async () => {
    await fc.assert(
      fc.asyncProperty(
        nameSpaces,
        fc.infiniteStream(fc.boolean()),
        fc.string({ minLength: 1, maxLength: 20 }),
        async (ns, picks, nonce) => {
          const { issuerSigned } = await issueMdoc({
            docType: 'org.iso.18013.5.1.mDL',
            nameSpaces: ns,
            deviceKey: holder.publicJwk,
            signer: pki.signer,
            certificate: pki.documentSigner.der,
            validity: { validUntil: NOW + 86_400 },
          });
          const pick = picks[Symbol.iterator]();
          const disclose: Record<string, string[]> = {};
          for (const [n, elements] of Object.entries(ns)) {
            const chosen = Object.keys(elements).filter(() => pick.next().value as boolean);
            if (chosen.length > 0) disclose[n] = chosen;
          }
          const sessionTranscript = openid4vpSessionTranscript({
            clientId: 'x509_san_dns:rp.example',
            nonce,
            responseUri: 'https://rp.example/response',
          });
          const response = await createDeviceResponse({
            documents: [{ mdoc: issuerSigned, disclose, deviceSigner: holder.signer }],
            sessionTranscript,
          });
          const { documents } = await verifyDeviceResponse(response, { trust, sessionTranscript });
          const seen = mdocValueToJson(
            new Map(
              Object.entries(documents[0]?.nameSpaces ?? {}).map(([k, v]) => [
                k,
                new Map(Object.entries(v)),
              ]),
            ),
          );
          const expected: Record<string, Record<string, unknown>> = {};
          for (const [n, ids] of Object.entries(disclose)) {
            expected[n] = {};
            for (const id of ids)
              (expected[n] as Record<string, unknown>)[id] = mdocValueToJson(
                (ns[n] as Record<string, CborValue>)[id] as CborValue,
              );
          }
          expect(JSON.parse(JSON.stringify(seen))).toEqual(JSON.parse(JSON.stringify(expected)));
          const other = openid4vpSessionTranscript({
            clientId: 'x509_san_dns:rp.example',
            nonce: `${nonce}x`,
            responseUri: 'https://rp.example/response',
          });
          await expect(
            verifyDeviceResponse(response, { trust, sessionTranscript: other }),
          ).rejects.toMatchObject({ code: 'ERR_MDOC_DEVICE_AUTH_INVALID' });
        },
      ),
      { numRuns: 40 },
    );
  });
});
