/**
 * @module commands
 * Every `openmid` command, in the order `--help` lists them.
 */
import type { Command } from '../cli.js';
import { demo } from './demo.js';
import { issue } from './issue.js';
import { issuer } from './issuer.js';
import { keygen } from './keygen.js';
import { ledger } from './ledger.js';
import { present } from './present.js';
import { start } from './start.js';
import { statusList } from './status-list.js';
import { types } from './types.js';
import { verifier } from './verifier.js';
import { verify } from './verify.js';
import { verifyOffline } from './verify-offline.js';

export const commands: readonly Command[] = [
  demo,
  keygen,
  types,
  issue,
  present,
  verify,
  statusList,
  issuer,
  start,
  verifier,
  verifyOffline,
  ledger,
];
