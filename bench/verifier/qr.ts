/**
 * bench/verifier/qr — QR sizes of offline presentations (issue 4 §3, docs/offline-qr.md).
 *
 * For a Korean resident card and a driving licence (every claim issued selectively disclosable, as
 * the profile does; portrait included in the credential but not disclosed), an `age_over_19`-only
 * presentation with a KB-JWT, encoded three ways, and the smallest QR version that holds it at
 * error-correction levels L and M:
 * - raw: the SD-JWT+KB text itself (byte mode);
 * - deflate+base45: raw DEFLATE of the text, Base45 (alphanumeric mode) — the EU DCC recipe;
 * - OpenMID: the `OMP1:` container (parts as bytes, JSON compaction, DEFLATE, Base45).
 */
import { deflateRawSync } from 'node:zlib';
import { generateKeyPair, jwkThumbprint } from '@openmid/core/keys';
import { useNodeCrypto } from '@openmid/core/node';
import { parseSdJwt, presentSdJwt } from '@openmid/core/sd-jwt';
import { issueSdJwtVc } from '@openmid/core/sd-jwt-vc';
import {
  buildSubjectClaims,
  type CredentialType,
  credentialExpiry,
  DRIVING_LICENCE,
  disclosureFrameFor,
  RESIDENT_ID,
} from '@openmid/profile-kr';
import { citizenAt, claimsFor } from '@openmid/testing/citizens';
import {
  base45Encode,
  clientIdOf,
  createOfflinePresentation,
  OFFLINE_AUDIENCE,
  windowNonce,
} from '@openmid/verifier';
import QRCode from 'qrcode';

useNodeCrypto();

/** One measured row. */
export interface QrRow {
  readonly credential: string;
  readonly mode: 'one-way' | 'two-way';
  readonly encoding: 'raw' | 'deflate+base45' | 'OpenMID OMP1';
  readonly characters: number;
  readonly versionL: number;
  readonly versionM: number;
}

const version = (text: string, level: 'L' | 'M') =>
  QRCode.create(text, { errorCorrectionLevel: level }).version;

async function credentialOf(
  type: CredentialType,
  holder: Awaited<ReturnType<typeof generateKeyPair>>,
  now: number,
) {
  const issuer = await generateKeyPair('ES256');
  const kid = jwkThumbprint(issuer.publicJwk);
  for (let i = 0; i < 500; i++) {
    let claims: Record<string, unknown>;
    try {
      claims = buildSubjectClaims(
        type,
        claimsFor(type.name, citizenAt('bench-qr', i), { issuedAt: now }),
        { issuedAt: now },
      );
    } catch {
      continue;
    }
    if (claims['age_over_19'] !== true) continue;
    return issueSdJwtVc(
      {
        iss: 'https://mois.openmid.go.kr',
        vct: type.vct,
        iat: now,
        exp: credentialExpiry(type, now, claims),
        status: {
          status_list: { idx: 734_512, uri: 'https://mois.openmid.go.kr/status-lists/12' },
        },
        claims,
      },
      {
        signer: { ...issuer.signer, kid },
        holderKey: holder.publicJwk,
        frame: disclosureFrameFor(type, claims) as never,
        now,
      },
    );
  }
  throw new Error('no adult citizen found');
}

/** Measure every encoding for both types and both modes. */
export async function measureQr(): Promise<QrRow[]> {
  const now = Math.floor(Date.now() / 1000);
  const holder = await generateKeyPair('ES256');
  const rows: QrRow[] = [];
  for (const type of [RESIDENT_ID, DRIVING_LICENCE]) {
    const held = parseSdJwt(await credentialOf(type, holder, now));
    for (const mode of ['one-way', 'two-way'] as const) {
      const binding =
        mode === 'one-way'
          ? { aud: OFFLINE_AUDIENCE, nonce: windowNonce(now) }
          : { aud: clientIdOf('convenience-store'), nonce: 'Xq3N0w2bKc9fJ4uT7hVdQa' };
      const raw = await presentSdJwt(held, {
        paths: [['age_over_19']],
        keyBinding: { signer: holder.signer, ...binding, iat: now },
      });
      const dcc = base45Encode(new Uint8Array(deflateRawSync(Buffer.from(raw), { level: 9 })));
      const ours = await createOfflinePresentation(held, {
        paths: [['age_over_19']],
        signer: holder.signer,
        binding: mode === 'one-way' ? 'one-way' : binding,
        iat: now,
      });
      for (const [encoding, text] of [
        ['raw', raw],
        ['deflate+base45', dcc],
        ['OpenMID OMP1', ours],
      ] as const)
        rows.push({
          credential: type.name,
          mode,
          encoding,
          characters: text.length,
          versionL: version(text, 'L'),
          versionM: version(text, 'M'),
        });
    }
  }
  return rows;
}

/** Print the table. */
export function printQr(rows: readonly QrRow[]): void {
  console.log('\nOffline QR: age_over_19-only presentation (target: version ≤ 25)');
  console.log(
    `${'credential'.padEnd(16)} ${'mode'.padEnd(8)} ${'encoding'.padEnd(15)} ${'chars'.padStart(6)} ${'v(L)'.padStart(5)} ${'v(M)'.padStart(5)}`,
  );
  for (const r of rows)
    console.log(
      `${r.credential.padEnd(16)} ${r.mode.padEnd(8)} ${r.encoding.padEnd(15)} ${String(r.characters).padStart(6)} ${String(r.versionL).padStart(5)} ${String(r.versionM).padStart(5)}`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) printQr(await measureQr());
