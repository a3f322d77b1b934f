/**
 * @module commands/demo
 * `openmid demo`: a guided tour in the terminal. Creates an issuer key (the National Police
 * Agency) and a holder device key, issues a Korean mobile driving licence for a synthetic citizen,
 * presents three of its claims to a car-rental desk with key binding, verifies the presentation
 * against the issuer key and a status list, then revokes the licence and shows the same check fail.
 */
import { defaultCrypto } from '@openmid/core';
import { isOpenMidError } from '@openmid/core/errors';
import { createVerifier, generateKeyPair, jwkThumbprint } from '@openmid/core/keys';
import { parseSdJwt, presentSdJwt } from '@openmid/core/sd-jwt';
import { issueSdJwtVc, verifySdJwtVc } from '@openmid/core/sd-jwt-vc';
import {
  createIndexAllocator,
  createStatusCheck,
  StatusList,
  StatusType,
  signStatusListToken,
  verifyStatusListToken,
} from '@openmid/core/status-list';
import {
  buildSubjectClaims,
  credentialExpiry,
  DRIVING_LICENCE,
  disclosureFrameFor,
  maskRrn,
} from '@openmid/profile-kr';
import { citizenAt, claimsFor } from '@openmid/testing/citizens';
import type { Command, Io } from '../cli.js';
import { subjectClaims } from './verify.js';

const ISSUER = 'https://police.openmid.example';
const STATUS_URI = `${ISSUER}/status-lists/1`;
const RP = 'https://car-rental.openmid.example';

function step(io: Io, n: number, title: string): void {
  io.stdout(`\n\x1b[1m${n}. ${title}\x1b[0m\n`);
}

function short(token: string): string {
  return token.length > 96
    ? `${token.slice(0, 60)}…${token.slice(-24)} (${token.length} chars)`
    : token;
}

export const demo: Command = {
  name: 'demo',
  summary: 'Guided demo: keys → Korean driving licence → present 3 claims → verify → revoke.',
  usage: 'demo [--seed S]',
  options: { seed: { type: 'string', default: 'openmid-demo' } },
  async run({ values, io }) {
    const now = Math.floor(Date.now() / 1000);
    io.stdout('OpenMID guided demo — a mobile driving licence (모바일 운전면허증), end to end.\n');

    step(io, 1, 'Keys');
    const issuer = await generateKeyPair('ES256');
    const issuerSigner = { ...issuer.signer, kid: jwkThumbprint(issuer.publicJwk) };
    const device = await generateKeyPair('ES256');
    io.stdout(`   issuer (National Police Agency) ES256 key  kid ${issuerSigner.kid}\n`);
    io.stdout(
      `   holder device key (non-extractable)        thumbprint ${jwkThumbprint(device.publicJwk)}\n`,
    );

    step(io, 2, 'Issue a driving licence (SD-JWT VC, dc+sd-jwt)');
    const citizen = citizenAt(String(values['seed']), 7);
    const claims = buildSubjectClaims(
      DRIVING_LICENCE,
      claimsFor('driving-licence', citizen, { issuedAt: now }),
      { issuedAt: now },
    );
    const list = StatusList.create(1 << 20, 2);
    // Unique, unpredictable index: a keyed permutation of a counter (herd privacy).
    const idx = createIndexAllocator({
      size: list.size,
      key: defaultCrypto().randomBytes(32),
    }).next();
    const credential = await issueSdJwtVc(
      {
        iss: ISSUER,
        vct: DRIVING_LICENCE.vct,
        iat: now,
        exp: credentialExpiry(DRIVING_LICENCE, now, claims),
        status: { status_list: { idx, uri: STATUS_URI } },
        claims,
      },
      {
        signer: issuerSigner,
        holderKey: device.publicJwk,
        frame: disclosureFrameFor(DRIVING_LICENCE, claims),
      },
    );
    const held = parseSdJwt(credential);
    io.stdout(
      `   citizen   ${String(claims['name'])} (${maskRrn(String(claims['rrn']))}), licence ${String(claims['licence_classes'])}\n`,
    );
    io.stdout(`   credential ${short(credential)}\n`);
    io.stdout(
      `   ${held.disclosable.length} selectively disclosable claims, status index ${idx} in a list of ${list.size.toLocaleString('en-US')}\n`,
    );

    step(io, 3, 'Present three claims to a car-rental desk (key-bound to its nonce)');
    const nonce = crypto.randomUUID();
    const presentation = await presentSdJwt(credential, {
      paths: [['name'], ['licence_classes'], ['age_over_19']],
      keyBinding: { signer: device.signer, aud: RP, nonce },
    });
    io.stdout(`   disclosed name, licence_classes, age_over_19; nothing else leaves the phone\n`);
    io.stdout(`   presentation ${short(presentation)}\n`);

    step(io, 4, 'Verify (issuer key, key binding, nonce, audience, validity, status list)');
    const publish = async () =>
      signStatusListToken(list, {
        signer: issuerSigner,
        uri: STATUS_URI,
        iat: Math.floor(Date.now() / 1000),
        ttl: 300,
      });
    let token = await publish();
    const issuerVerifier = createVerifier(issuer.publicKey);
    const policy = {
      issuerKey: () => issuerVerifier,
      aud: RP,
      nonce,
      status: createStatusCheck({
        resolve: async (uri: string) =>
          (await verifyStatusListToken(token, { uri, key: issuerVerifier })).list,
      }),
    };
    const verified = await verifySdJwtVc(presentation, policy);
    io.stdout(
      `   ✔ valid: ${JSON.stringify(subjectClaims(verified.claims as Record<string, unknown>))}\n`,
    );

    step(io, 5, 'Revoke the licence, publish the status list, verify again');
    list.set(idx, StatusType.INVALID);
    token = await publish();
    try {
      await verifySdJwtVc(presentation, policy);
      io.stdout('   ✘ unexpectedly still valid\n');
      return 1;
    } catch (e) {
      io.stdout(`   ✔ refused: ${isOpenMidError(e) ? e.code : String(e)}\n`);
    }
    io.stdout(
      '\nTry the same with the CLI: openmid keygen | issue | present | verify | status-list (--help on each).\n',
    );
    return 0;
  },
};
