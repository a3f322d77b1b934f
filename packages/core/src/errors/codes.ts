/**
 * @module errors/codes
 * The catalogue of every OpenMID error code with a one-line meaning. Codes are API: `docs/errors.md`
 * lists exactly these (a test checks both directions); renaming or removing one is a breaking change.
 * One file per area keeps additions local; add the area here.
 */
import { CLI_CODES } from './codes/cli.js';
import { GENERAL_CODES } from './codes/general.js';
import { ISSUANCE_CODES } from './codes/issuance.js';
import { JOSE_CODES } from './codes/jose.js';
import { KEY_CODES } from './codes/keys.js';
import { LEDGER_CODES } from './codes/ledger.js';
import { MDOC_CODES } from './codes/mdoc.js';
import { PRESENTATION_CODES } from './codes/presentation.js';
import { PROFILE_CODES } from './codes/profile.js';
import { SDJWT_CODES } from './codes/sd-jwt.js';
import { SDJWTVC_CODES } from './codes/sd-jwt-vc.js';
import { SERVER_CODES } from './codes/server.js';
import { STATUS_CODES } from './codes/status.js';

/** Every error code with its meaning. */
export const ERROR_CODES: Readonly<
  typeof GENERAL_CODES &
    typeof KEY_CODES &
    typeof JOSE_CODES &
    typeof SDJWT_CODES &
    typeof SDJWTVC_CODES &
    typeof STATUS_CODES &
    typeof PROFILE_CODES &
    typeof CLI_CODES &
    typeof SERVER_CODES &
    typeof LEDGER_CODES &
    typeof ISSUANCE_CODES &
    typeof PRESENTATION_CODES &
    typeof MDOC_CODES
> = Object.freeze({
  ...GENERAL_CODES,
  ...KEY_CODES,
  ...JOSE_CODES,
  ...SDJWT_CODES,
  ...SDJWTVC_CODES,
  ...STATUS_CODES,
  ...PROFILE_CODES,
  ...CLI_CODES,
  ...SERVER_CODES,
  ...LEDGER_CODES,
  ...ISSUANCE_CODES,
  ...PRESENTATION_CODES,
  ...MDOC_CODES,
});

/** The union of every stable OpenMID error code. */
export type OpenMidErrorCode = keyof typeof ERROR_CODES;
