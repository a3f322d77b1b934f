/**
 * @module commands/verify
 * `openmid verify`: verify a presentation against a trusted issuer key, the expected audience and
 * nonce, and (when the credential has a status reference) a status list. Prints
 * `{"valid":true,"vct":…,"iss":…,"claims":{…}}` and exits 0, or
 * `{"valid":false,"error":{"code":"ERR_…","message":"…"}}` and exits 1.
 *
 * A credential that references a status list is only valid when its status could be established:
 * without `--status-list` the status is unknown, and unknown is never reported as valid.
 */
import { isOpenMidError, OpenMidError } from '@openmid/core/errors';
import type { Verifier } from '@openmid/core/keys';
import { verifySdJwtVc } from '@openmid/core/sd-jwt-vc';
import {
  createStatusCheck,
  decodeStatusList,
  type StatusList,
  verifyStatusListToken,
} from '@openmid/core/status-list';
import { type Command, type Io, optional, required } from '../cli.js';
import { readText } from '../files.js';
import { verifierFromFile } from '../keys.js';

/** Claims that describe the credential rather than its subject. */
const TECHNICAL = new Set([
  'iss',
  'vct',
  'vct#integrity',
  'iat',
  'nbf',
  'exp',
  'cnf',
  'status',
  '_sd_alg',
]);

/** Subject claims of a verified credential (registered JWT/VC claims removed). */
export function subjectClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(claims)) if (!TECHNICAL.has(k)) out[k] = v;
  return out;
}

/**
 * Load a status list from a file: a signed Status List Token (verified with the issuer key, `sub`
 * must be the URI the credential references) or a plain `{ bits, lst }` list file.
 */
async function loadStatusList(
  path: string,
  uri: string,
  key: Verifier,
  io: Io,
): Promise<StatusList> {
  const text = await readText(path, io);
  if (!text.startsWith('{')) return (await verifyStatusListToken(text, { uri, key })).list;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new OpenMidError('ERR_STATUS_LIST_INVALID', 'The status list file is not JSON', {
      cause,
    });
  }
  return decodeStatusList(json);
}

export const verify: Command = {
  name: 'verify',
  summary: 'Verify a presentation (prints a JSON result; exit 0 valid, 1 invalid).',
  usage:
    'verify --presentation FILE|- --issuer-key PUBFILE --aud ID --nonce N [--status-list FILE]\n\n' +
    '  --status-list takes a Status List Token (statuslist+jwt, verified with the issuer key)\n' +
    '  or a list file written by `openmid status-list create`.',
  options: {
    presentation: { type: 'string' },
    'issuer-key': { type: 'string' },
    aud: { type: 'string' },
    nonce: { type: 'string' },
    'status-list': { type: 'string' },
  },
  async run({ values, io }) {
    const presentation = await readText(required(values, 'presentation'), io);
    const key = await verifierFromFile(required(values, 'issuer-key'), io);
    const aud = required(values, 'aud');
    const nonce = required(values, 'nonce');
    const statusFile = optional(values, 'status-list');
    try {
      const result = await verifySdJwtVc(presentation, {
        issuerKey: () => key,
        aud,
        nonce,
        status: createStatusCheck({
          resolve: async (uri) => {
            if (statusFile === undefined) {
              throw new OpenMidError(
                'ERR_STATUS_UNKNOWN',
                'The credential has a status reference; give --status-list',
              );
            }
            return loadStatusList(statusFile, uri, key, io);
          },
        }),
      });
      const claims = result.claims as Record<string, unknown>;
      io.stdout(
        `${JSON.stringify({ valid: true, vct: claims['vct'], iss: claims['iss'], claims: subjectClaims(claims) })}\n`,
      );
      return 0;
    } catch (e) {
      const err = isOpenMidError(e)
        ? e
        : new OpenMidError('ERR_INTERNAL', 'Unexpected failure', { cause: e });
      io.stdout(
        `${JSON.stringify({ valid: false, error: { code: err.code, message: err.message } })}\n`,
      );
      return 1;
    }
  },
};
