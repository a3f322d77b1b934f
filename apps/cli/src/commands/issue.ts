/**
 * @module commands/issue
 * `openmid issue`: issue an SD-JWT VC of a Korean credential type, bound to a holder key.
 * The claims are validated by the profile, derived claims (age_over_NN) are added, every personal
 * claim is selectively disclosable, and the credential expires after the type's validity (3 years)
 * unless `--valid-for` says otherwise.
 */
import { issueSdJwtVc, type SdJwtVcStatus } from '@openmid/core/sd-jwt-vc';
import { parseStatusReference } from '@openmid/core/status-list';
import {
  buildSubjectClaims,
  credentialExpiry,
  disclosureFrameFor,
  findCredentialType,
} from '@openmid/profile-kr';
import { type Command, optional, required, usageError } from '../cli.js';
import { parseDuration } from '../duration.js';
import { readJson } from '../files.js';
import { publicJwkFromFile, signerFromFile } from '../keys.js';

export const issue: Command = {
  name: 'issue',
  summary: 'Issue an SD-JWT VC of a Korean credential type (prints the credential).',
  usage:
    'issue --type TYPE --issuer-key FILE --iss ID --holder-key PUBFILE --claims FILE\n' +
    '                    [--status-uri URI --status-idx N] [--valid-for 3y]\n\n' +
    '  TYPE is resident-id, driving-licence, disability, public-servant, employee-id or a vct.\n' +
    "  --claims FILE holds the subject claims as JSON ('-' reads standard input); see\n" +
    "  `openmid types --json` for each type's claims and an example.",
  options: {
    type: { type: 'string' },
    'issuer-key': { type: 'string' },
    iss: { type: 'string' },
    'holder-key': { type: 'string' },
    claims: { type: 'string' },
    'status-uri': { type: 'string' },
    'status-idx': { type: 'string' },
    'valid-for': { type: 'string' },
  },
  async run({ values, io }) {
    const type = findCredentialType(required(values, 'type'));
    const iss = required(values, 'iss');
    const issuerKeyFile = required(values, 'issuer-key');
    const holderKeyFile = required(values, 'holder-key');
    const claimsFile = required(values, 'claims');
    const statusUri = optional(values, 'status-uri');
    const statusIdx = optional(values, 'status-idx');
    if ((statusUri === undefined) !== (statusIdx === undefined)) {
      throw usageError('--status-uri and --status-idx go together');
    }
    let status: SdJwtVcStatus | undefined;
    if (statusUri !== undefined && statusIdx !== undefined) {
      if (!/^(0|[1-9]\d*)$/.test(statusIdx))
        throw usageError('--status-idx must be a non-negative integer');
      status = {
        status_list: parseStatusReference({
          status_list: { idx: Number(statusIdx), uri: statusUri },
        }),
      };
    }
    const validFor = optional(values, 'valid-for');
    const now = Math.floor(Date.now() / 1000);
    const claims = buildSubjectClaims(type, await readJson(claimsFile, io), { issuedAt: now });
    const exp =
      validFor === undefined
        ? credentialExpiry(type, now, claims)
        : now + parseDuration(validFor, 'valid-for');
    const credential = await issueSdJwtVc(
      { iss, vct: type.vct, iat: now, exp, ...(status ? { status } : {}), claims },
      {
        signer: await signerFromFile(issuerKeyFile, io),
        holderKey: await publicJwkFromFile(holderKeyFile, io),
        frame: disclosureFrameFor(type, claims),
      },
    );
    io.stdout(`${credential}\n`);
    return 0;
  },
};
