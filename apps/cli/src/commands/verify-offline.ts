/**
 * @module commands/verify-offline
 * `openmid verify-offline --bundle FILE --qr-payload FILE|-`: verify a wallet's offline QR
 * payload (`OMP1:…`, `docs/offline-qr.md`) with no network, against a trust bundle written by
 * `openmid verifier trust-bundle` (issue 4 §3, §5). Prints the same JSON as `openmid verify`:
 * `{"valid":true,"vct":…,"iss":…,"claims":{…},"status":"valid"}` (exit 0) or
 * `{"valid":false,"error":{"code":"ERR_…","message":…}}` (exit 1).
 *
 * One-way mode (default): the presentation must be bound to the `offline` audience and be at most
 * 60 s old. Two-way mode: `--nonce N --aud CLIENT_ID`, the values of the request QR this device
 * showed. The bundle is verified with the keys pinned next to it (`FILE.keys.json`) or
 * `--bundle-keys FILE`, and refused once older than its maximum age. A status that cannot be
 * established (list older than its maximum age, missing, unreadable) is an error unless
 * `--accept-unknown-status`, which reports it as `"status":"unknown"` — never as valid.
 */
import { isOpenMidError, OpenMidError } from '@openmid/core/errors';
import {
  createReplayCache,
  OFFLINE_AUDIENCE,
  OFFLINE_WINDOW_SECONDS,
  openTrustBundle,
  type VerifyPolicy,
  verifyPresentation,
} from '@openmid/verifier';
import { type Command, optional, required, usageError } from '../cli.js';
import { readJson, readText } from '../files.js';
import { keysOf } from './verifier.js';

export const verifyOffline: Command = {
  name: 'verify-offline',
  summary: 'Verify an offline QR presentation against a trust bundle, without network.',
  usage:
    'verify-offline --bundle FILE --qr-payload FILE|- [--bundle-keys FILE] [--nonce N --aud CLIENT_ID] [--accept-unknown-status]',
  options: {
    bundle: { type: 'string' },
    'qr-payload': { type: 'string' },
    'bundle-keys': { type: 'string' },
    nonce: { type: 'string' },
    aud: { type: 'string' },
    'accept-unknown-status': { type: 'boolean' },
  },
  async run({ values, io }) {
    const bundlePath = required(values, 'bundle');
    const qr = await readText(required(values, 'qr-payload'), io);
    const nonce = optional(values, 'nonce');
    const aud = optional(values, 'aud');
    if ((nonce === undefined) !== (aud === undefined))
      throw usageError('two-way mode needs both --nonce and --aud');
    const keys = keysOf(
      await readJson(optional(values, 'bundle-keys') ?? `${bundlePath}.keys.json`, io),
    );
    try {
      const bundle = await openTrustBundle(await readText(bundlePath, io), { keys });
      const base = {
        trust: bundle,
        statusLists: bundle.statusLists,
        unknownStatus:
          values['accept-unknown-status'] === true ? ('accept' as const) : ('reject' as const),
      };
      const policy: VerifyPolicy =
        nonce !== undefined && aud !== undefined
          ? { ...base, nonce, aud }
          : {
              ...base,
              timeWindow: OFFLINE_WINDOW_SECONDS,
              aud: OFFLINE_AUDIENCE,
              replayCache: createReplayCache(),
            };
      const vc = await verifyPresentation({ qr }, policy);
      io.stdout(
        `${JSON.stringify({ valid: true, vct: vc.vct, iss: vc.iss, claims: vc.claims, status: vc.status })}\n`,
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
