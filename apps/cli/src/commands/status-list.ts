/**
 * @module commands/status-list
 * `openmid status-list create|set|get|token`: manage a Token Status List file (the draft's JSON
 * form `{ "bits": …, "lst": … }`) and sign its Status List Token (`statuslist+jwt`).
 */
import {
  assertStatusTransition,
  decodeStatusList,
  encodeStatusList,
  isStatusBits,
  StatusList,
  StatusType,
  signStatusListToken,
} from '@openmid/core/status-list';
import { type Command, type Io, optional, required, usageError } from '../cli.js';
import { parseDuration } from '../duration.js';
import { readJson, writeText } from '../files.js';
import { signerFromFile } from '../keys.js';

const NAMES: Record<string, number> = {
  VALID: StatusType.VALID,
  INVALID: StatusType.INVALID,
  REVOKED: StatusType.INVALID,
  SUSPENDED: StatusType.SUSPENDED,
};
const LABEL: Record<number, string> = { 0: 'VALID', 1: 'INVALID', 2: 'SUSPENDED' };

function parseIndex(text: string): number {
  if (!/^(0|[1-9]\d*)$/.test(text)) throw usageError('--idx must be a non-negative integer');
  return Number(text);
}

function parseStatus(text: string): number {
  const upper = text.toUpperCase();
  if (upper in NAMES) return NAMES[upper] as number;
  if (/^(0|[1-9]\d{0,2})$/.test(text) && Number(text) <= 255) return Number(text);
  throw usageError('--status must be VALID, INVALID (REVOKED), SUSPENDED or a number 0..255');
}

async function loadList(path: string, io: Io): Promise<StatusList> {
  return decodeStatusList(await readJson(path, io));
}

async function saveList(path: string, list: StatusList, io: Io): Promise<void> {
  await writeText(path, `${JSON.stringify(encodeStatusList(list))}\n`, io);
}

function describe(idx: number, value: number): string {
  return JSON.stringify({ idx, status: value, label: LABEL[value] ?? 'APPLICATION_SPECIFIC' });
}

const create: Command = {
  name: 'create',
  summary: 'Create an all-VALID status list file.',
  usage:
    'status-list create --out FILE [--size N] [--bits 1|2|4|8]   (default 1048576 entries, 2 bits)',
  options: {
    out: { type: 'string' },
    size: { type: 'string', default: '1048576' },
    bits: { type: 'string', default: '2' },
  },
  async run({ values, io }) {
    const bits = Number(values['bits']);
    if (!isStatusBits(bits)) throw usageError('--bits must be 1, 2, 4 or 8');
    const size = Number(values['size']);
    if (!Number.isSafeInteger(size) || size < 1 || (size * bits) % 8 !== 0) {
      throw usageError('--size must be a positive integer filling whole bytes');
    }
    const list = StatusList.create(size, bits);
    await saveList(required(values, 'out'), list, io);
    io.stdout(`${JSON.stringify({ size: list.size, bits: list.bits })}\n`);
    return 0;
  },
};

const set: Command = {
  name: 'set',
  summary: 'Set the status of one index (revocation is final).',
  usage: 'status-list set --list FILE --idx N --status VALID|INVALID|SUSPENDED|N',
  options: { list: { type: 'string' }, idx: { type: 'string' }, status: { type: 'string' } },
  async run({ values, io }) {
    const path = required(values, 'list');
    const idx = parseIndex(required(values, 'idx'));
    const value = parseStatus(required(values, 'status'));
    const list = await loadList(path, io);
    assertStatusTransition(list.get(idx), value);
    list.set(idx, value);
    await saveList(path, list, io);
    io.stdout(`${describe(idx, value)}\n`);
    return 0;
  },
};

const get: Command = {
  name: 'get',
  summary: 'Print the status of one index.',
  usage: 'status-list get --list FILE --idx N',
  options: { list: { type: 'string' }, idx: { type: 'string' } },
  async run({ values, io }) {
    const list = await loadList(required(values, 'list'), io);
    const idx = parseIndex(required(values, 'idx'));
    io.stdout(`${describe(idx, list.get(idx))}\n`);
    return 0;
  },
};

const token: Command = {
  name: 'token',
  summary: 'Sign the Status List Token (statuslist+jwt) of a list file.',
  usage:
    'status-list token --list FILE --issuer-key FILE --uri URI [--iss ID] [--ttl 1h] [--valid-for 1d]',
  options: {
    list: { type: 'string' },
    'issuer-key': { type: 'string' },
    uri: { type: 'string' },
    iss: { type: 'string' },
    ttl: { type: 'string' },
    'valid-for': { type: 'string' },
  },
  async run({ values, io }) {
    const list = await loadList(required(values, 'list'), io);
    const signer = await signerFromFile(required(values, 'issuer-key'), io);
    const now = Math.floor(Date.now() / 1000);
    const ttl = optional(values, 'ttl');
    const validFor = optional(values, 'valid-for');
    const iss = optional(values, 'iss');
    const jwt = await signStatusListToken(list, {
      signer,
      uri: required(values, 'uri'),
      iat: now,
      ...(iss ? { iss } : {}),
      ...(ttl ? { ttl: parseDuration(ttl, 'ttl') } : {}),
      ...(validFor ? { exp: now + parseDuration(validFor, 'valid-for') } : {}),
    });
    io.stdout(`${jwt}\n`);
    return 0;
  },
};

export const statusList: Command = {
  name: 'status-list',
  summary: 'Manage Token Status List files and sign their tokens.',
  usage: 'status-list <create|set|get|token> [options]',
  subcommands: [create, set, get, token],
};
