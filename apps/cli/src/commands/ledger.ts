/**
 * @module commands/ledger
 * `openmid ledger …`: the trust ledger from the command line (issue 6 §4).
 *
 * Offline, agency by agency (no network, the JSON file travels):
 * - `init --governance KEY… --quorum N --name NAME` writes the genesis proposal;
 * - `propose --type TYPE --input FILE` writes a proposal (issuer / relying-party registration,
 *   key add / revoke, removal, anchors) from JSON;
 * - `cosign --entry FILE --key FILE` adds one signature (governance kid = RFC 7638 thumbprint);
 * - `verify-snapshot --snapshot FILE --log-key FILE [--ledger-id]` checks a trust snapshot and
 *   prints `{"valid":true,…}` (exit 0) or `{"valid":false,"error":{…}}` (exit 1).
 *
 * Against a node (`--url`, else LEDGER_URL, else http://localhost:7005), through the verifying
 * client of `@openmid/ledger/http` (pin the node's key with `--log-key FILE`; without it the node
 * is trusted on first use, with a warning):
 * - `info` (ledger id and log key, `--log-key-out FILE` saves the key to pin), `submit --entry
 *   FILE`, `state`, `prove --query JSON`, `snapshot --out FILE`.
 *
 * The node's admin key (only for a genesis, or `submit --dev-countersign` on a development node)
 * is `--admin-key`, else OPENMID_LEDGER_ADMIN_KEY, else `<--data-dir | .data/ledger>/admin-api-key`.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isOpenMidError, OpenMidError } from '@openmid/core/errors';
import { jwkThumbprint, type PublicJwk, parsePublicJwk, type Signer } from '@openmid/core/keys';
import {
  cosign,
  ENTRY_KINDS,
  type EntryBody,
  type EntryType,
  ledgerIdOf,
  parseEntry,
  propose,
  type Query,
  type SignedEntry,
  stateToJson,
  verifySnapshot,
} from '@openmid/ledger';
import { createHttpLedger, type HttpLedger } from '@openmid/ledger/http';
import { type Command, type Io, optional, required, usageError, type Values } from '../cli.js';
import { parseDuration } from '../duration.js';
import { readJson, writeText } from '../files.js';
import { publicJwkFromFile, signerFromFile } from '../keys.js';

const DEFAULT_URL = 'http://localhost:7005';

const NODE_OPTIONS = {
  url: { type: 'string' },
  'log-key': { type: 'string' },
  'ledger-id': { type: 'string' },
} as const;

function print(io: Io, value: unknown): number {
  io.stdout(`${JSON.stringify(value)}\n`);
  return 0;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function nodeUrl(values: Values): string {
  const url = optional(values, 'url') ?? process.env['LEDGER_URL'] ?? DEFAULT_URL;
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw usageError('--url must be an http(s) URL');
  return url.replace(/\/+$/, '');
}

function ledgerIdOption(values: Values): string | undefined {
  const id = optional(values, 'ledger-id');
  if (id !== undefined && !/^[0-9a-f]{64}$/.test(id)) {
    throw usageError('--ledger-id must be 64 lowercase hex characters');
  }
  return id;
}

/** A log key from a file: a public JWK, or the JSON `openmid ledger info` prints. */
async function logKeyFromFile(path: string, io: Io): Promise<PublicJwk> {
  const value = await readJson(path, io);
  const raw = isObject(value) && isObject(value['logKey']) ? value['logKey'] : value;
  if (!isObject(raw) || 'd' in raw) {
    throw new OpenMidError('ERR_CLI_FILE_UNREADABLE', `${path} is not a public JWK`);
  }
  const { kid: _kid, alg: _alg, use: _use, ...jwk } = raw;
  return parsePublicJwk(jwk, 'ES256').jwk;
}

async function adminKey(values: Values, io: Io): Promise<string | undefined> {
  const flag = optional(values, 'admin-key');
  if (flag !== undefined) return flag;
  const env = process.env['OPENMID_LEDGER_ADMIN_KEY'];
  if (env !== undefined && env !== '') return env.trim();
  const dir = optional(values, 'data-dir') ?? '.data/ledger';
  try {
    return (await readFile(join(resolve(io.cwd, dir), 'admin-api-key'), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function client(
  values: Values,
  io: Io,
  extra: { readonly adminKey?: string } = {},
): Promise<HttpLedger> {
  const file = optional(values, 'log-key');
  if (file === undefined) {
    io.stderr(
      'warning: the node’s log key is not pinned (--log-key FILE): trusting it on first use\n',
    );
  }
  const ledgerId = ledgerIdOption(values);
  return createHttpLedger({
    url: nodeUrl(values),
    logKey: file === undefined ? 'trust-on-first-use' : await logKeyFromFile(file, io),
    ...(ledgerId === undefined ? {} : { ledgerId }),
    ...(extra.adminKey === undefined ? {} : { adminKey: extra.adminKey }),
  });
}

async function readEntry(path: string, io: Io): Promise<SignedEntry> {
  const value = await readJson(path, io);
  return parseEntry(value).canonical;
}

/** Write an entry to `out` (or standard output when undefined); returns the file written. */
async function writeEntry(
  io: Io,
  entry: SignedEntry,
  out: string | undefined,
): Promise<string | undefined> {
  const text = `${JSON.stringify(entry, null, 2)}\n`;
  if (out === undefined) {
    io.stdout(text);
    return undefined;
  }
  await writeText(out, text, io);
  return out;
}

function minimalJwk(jwk: object): PublicJwk {
  const { kty, crv, x, y } = jwk as { kty: string; crv: string; x: string; y?: string };
  return (y === undefined ? { kty, crv, x } : { kty, crv, x, y }) as PublicJwk;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{ kid?, jwk, validFrom? }` or a bare JWK with kid → the ledger's minimal form. */
function normalizeKey(k: unknown, iat: number, withWindow: boolean): unknown {
  if (!isObject(k)) return k;
  const jwk = isObject(k['jwk']) ? k['jwk'] : 'kty' in k ? k : undefined;
  if (jwk === undefined) return k;
  const kid = typeof k['kid'] === 'string' ? k['kid'] : jwk['kid'];
  const out: Record<string, unknown> = { kid, jwk: minimalJwk(jwk) };
  if (withWindow) {
    out['validFrom'] = k['validFrom'] ?? iat;
    if (k['validUntil'] !== undefined) out['validUntil'] = k['validUntil'];
  }
  return out;
}

/** Fill the conveniences of `propose` input: times, key forms, validity starts. */
function bodyFrom(typ: EntryType, input: Record<string, unknown>, exp: number): EntryBody {
  const iat = typeof input['iat'] === 'number' ? input['iat'] : nowSeconds();
  const body: Record<string, unknown> = { ...input, typ, iat, exp: input['exp'] ?? iat + exp };
  if (Array.isArray(body['keys']))
    body['keys'] = body['keys'].map((k) => normalizeKey(k, iat, true));
  if (body['key'] !== undefined) body['key'] = normalizeKey(body['key'], iat, true);
  for (const member of ['issuer', 'rp'] as const) {
    const v = body[member];
    if (!isObject(v)) continue;
    const profile: Record<string, unknown> = { ...v, validFrom: v['validFrom'] ?? iat };
    if (Array.isArray(profile['keys'])) {
      profile['keys'] = profile['keys'].map((k) => normalizeKey(k, iat, false));
    }
    body[member] = profile;
  }
  if (isObject(body['governance']) && Array.isArray(body['governance']['keys'])) {
    body['governance'] = {
      ...body['governance'],
      keys: body['governance']['keys'].map((k) => {
        const n = normalizeKey(k, iat, false) as { jwk?: PublicJwk };
        return n.jwk === undefined ? k : { kid: jwkThumbprint(n.jwk), jwk: n.jwk };
      }),
    };
  }
  return body as unknown as EntryBody;
}

const info: Command = {
  name: 'info',
  summary: 'Show the node’s ledger id, log key (to pin), backend and size.',
  usage: 'ledger info [--url URL] [--log-key-out FILE]',
  options: { url: { type: 'string' }, 'log-key-out': { type: 'string' } },
  async run({ values, io }) {
    const ledger = createHttpLedger({ url: nodeUrl(values), logKey: 'trust-on-first-use' });
    const i = await ledger.info();
    const out = optional(values, 'log-key-out');
    if (out !== undefined) await writeText(out, `${JSON.stringify(i.logKey, null, 2)}\n`, io);
    return print(io, i);
  },
};

const init: Command = {
  name: 'init',
  summary:
    'Write a genesis proposal: the governance keys and the quorum (every agency cosigns it).',
  usage:
    'ledger init --governance KEY.jwk [--governance KEY.jwk …] --quorum N --name NAME [--exp 30d] [--out FILE]',
  options: {
    governance: { type: 'string', multiple: true },
    quorum: { type: 'string' },
    name: { type: 'string' },
    exp: { type: 'string' },
    out: { type: 'string' },
  },
  async run({ values, io }) {
    const files = (values['governance'] as string[] | undefined) ?? [];
    if (files.length === 0) throw usageError('give at least one --governance KEY file');
    const quorum = Number(required(values, 'quorum'));
    if (!Number.isInteger(quorum) || quorum < 1 || quorum > files.length) {
      throw usageError('--quorum must be between 1 and the number of governance keys');
    }
    const keys = await Promise.all(
      files.map(async (f) => {
        const jwk = minimalJwk(await publicJwkFromFile(f, io));
        return { kid: jwkThumbprint(jwk), jwk };
      }),
    );
    const iat = nowSeconds();
    const entry = propose({
      typ: 'genesis',
      iat,
      exp: iat + parseDuration(optional(values, 'exp') ?? '30d', 'exp'),
      name: required(values, 'name'),
      governance: { keys, quorum },
    });
    const file = await writeEntry(io, entry, optional(values, 'out'));
    if (file !== undefined) {
      print(io, { typ: 'genesis', file, governance: keys.map((k) => k.kid), quorum });
    }
    return 0;
  },
};

const propose_: Command = {
  name: 'propose',
  summary: 'Write a proposal (registrations, key add / revoke, removals, anchors) from JSON input.',
  usage:
    'ledger propose --type TYPE --input FILE [--exp 7d] [--out FILE]\n\n' +
    `  TYPE: ${Object.keys(ENTRY_KINDS)
      .filter((t) => t !== 'genesis')
      .join(', ')}\n` +
    '  FILE: the body without typ (iat defaults to now, exp to iat + --exp, validFrom to iat;\n' +
    '  keys may be JWKs with a kid).',
  options: {
    type: { type: 'string' },
    input: { type: 'string' },
    exp: { type: 'string' },
    out: { type: 'string' },
  },
  async run({ values, io }) {
    const typ = required(values, 'type');
    if (!Object.hasOwn(ENTRY_KINDS, typ) || typ === 'genesis') {
      throw usageError(`--type must be one of the entry types (not genesis: use ledger init)`);
    }
    const input = await readJson(required(values, 'input'), io);
    if (!isObject(input)) {
      throw new OpenMidError('ERR_CLI_FILE_UNREADABLE', 'The input must be a JSON object');
    }
    const exp = parseDuration(optional(values, 'exp') ?? '7d', 'exp');
    const entry = propose(bodyFrom(typ as EntryType, input, exp));
    const file = await writeEntry(io, entry, optional(values, 'out'));
    if (file !== undefined) print(io, { typ, file, signatures: 0 });
    return 0;
  },
};

async function signerAndKid(
  values: Values,
  io: Io,
  entry: SignedEntry,
): Promise<{ signer: Signer; kid: string }> {
  const signer = await signerFromFile(required(values, 'key'), io);
  const thumbprint = jwkThumbprint(minimalJwk(signer.publicJwk));
  const anchor = entry.body.typ === 'anchor.status-list' || entry.body.typ === 'anchor.document';
  // A governance key is named by its thumbprint; an issuer key by its registered kid.
  const kid = optional(values, 'kid') ?? (anchor ? (signer.kid ?? thumbprint) : thumbprint);
  return { signer, kid };
}

const cosign_: Command = {
  name: 'cosign',
  summary: 'Add one signature to a proposal, offline (one agency after another).',
  usage:
    'ledger cosign --entry FILE --key KEY.jwk [--kid KID] [--ledger-id HEX | --url URL] [--out FILE]\n\n' +
    '  Writes the entry back to --entry unless --out is given. Every entry but the genesis is\n' +
    '  bound to one ledger: give its id (openmid ledger info), or --url to ask the node.',
  options: {
    entry: { type: 'string' },
    key: { type: 'string' },
    kid: { type: 'string' },
    'ledger-id': { type: 'string' },
    url: { type: 'string' },
    'log-key': { type: 'string' },
    out: { type: 'string' },
  },
  async run({ values, io }) {
    const path = required(values, 'entry');
    const entry = await readEntry(path, io);
    let ledgerId = ledgerIdOption(values);
    if (entry.body.typ !== 'genesis' && ledgerId === undefined) {
      if (optional(values, 'url') === undefined) {
        throw usageError('--ledger-id is required (or --url to ask the node)');
      }
      ledgerId = await (await client(values, io)).ledgerId();
      if (ledgerId === undefined) {
        throw new OpenMidError('ERR_LEDGER_NOT_FOUND', 'The node has no genesis yet');
      }
    }
    const { signer, kid } = await signerAndKid(values, io, entry);
    const signed = await cosign(entry, signer, {
      kid,
      ...(ledgerId === undefined ? {} : { ledgerId }),
    });
    await writeEntry(io, signed, optional(values, 'out') ?? path);
    return print(io, {
      typ: signed.body.typ,
      signatures: signed.signatures.length,
      kids: signed.signatures.map((s) => s.kid),
      ...(signed.body.typ === 'genesis' ? { ledgerId: ledgerIdOf(signed) } : {}),
    });
  },
};

const submit: Command = {
  name: 'submit',
  summary: 'Submit a signed entry to a node (prints the receipt; exit 1 with the code if refused).',
  usage:
    'ledger submit --entry FILE [--url URL] [--log-key FILE] [--wait SECONDS]\n' +
    '              [--dev-countersign] [--admin-key KEY] [--data-dir DIR]\n\n' +
    '  --dev-countersign: a development node countersigns the proposal with its demo governance.',
  options: {
    ...NODE_OPTIONS,
    entry: { type: 'string' },
    wait: { type: 'string' },
    'dev-countersign': { type: 'boolean', default: false },
    'admin-key': { type: 'string' },
    'data-dir': { type: 'string' },
  },
  async run({ values, io }) {
    const entry = (await readJson(required(values, 'entry'), io)) as SignedEntry;
    const key = await adminKey(values, io);
    const ledger = await client(values, io, key === undefined ? {} : { adminKey: key });
    let receipt =
      values['dev-countersign'] === true
        ? await ledger.devCountersign(entry)
        : await ledger.append(entry);
    const wait = optional(values, 'wait');
    if (receipt.status === 'pending' && wait !== undefined) {
      const seconds = Number(wait);
      if (!Number.isInteger(seconds) || seconds < 1) {
        throw usageError('--wait must be a number of seconds');
      }
      const index = await ledger.waitForEntry(receipt.entryId, { timeoutMs: seconds * 1000 });
      const e = await ledger.entry(index);
      receipt = { status: 'confirmed', entryId: receipt.entryId, index, time: e.time };
    }
    return print(io, receipt);
  },
};

const state: Command = {
  name: 'state',
  summary: 'Show the current state (from a verified trust snapshot of the node).',
  usage: 'ledger state [--url URL] [--log-key FILE] [--ledger-id HEX]',
  options: { ...NODE_OPTIONS },
  async run({ values, io }) {
    return print(io, stateToJson(await (await client(values, io)).state()));
  },
};

const prove: Command = {
  name: 'prove',
  summary: 'Ask the node a question; prints the answer with its proof (verified first).',
  usage:
    'ledger prove --query JSON [--url URL] [--log-key FILE] [--ledger-id HEX]\n\n' +
    '  JSON: {"q":"issuer-keys","issuer":ISS} | {"q":"issuer-type","issuer":ISS,"vct":VCT}\n' +
    '        | {"q":"rp-claim","rp":ID,"vct":VCT,"claim":["name"]} | {"q":"status-list","uri":URI}\n' +
    '        | {"q":"document","digest":HEX}   ("at" defaults to now)',
  options: { ...NODE_OPTIONS, query: { type: 'string' } },
  async run({ values, io }) {
    let query: unknown;
    try {
      query = JSON.parse(required(values, 'query'));
    } catch {
      throw usageError('--query must be a JSON object');
    }
    if (!isObject(query) || typeof query['q'] !== 'string') {
      throw usageError('--query must be a JSON object with "q"');
    }
    const timed = ['issuer-keys', 'issuer-type', 'rp-claim'].includes(query['q']);
    const q = (
      timed && query['at'] === undefined ? { ...query, at: nowSeconds() } : query
    ) as Query;
    const proven = await (await client(values, io)).query(q);
    return print(io, proven);
  },
};

const snapshot: Command = {
  name: 'snapshot',
  summary: 'Export a trust snapshot (verified first) for offline verifiers and wallets.',
  usage:
    'ledger snapshot --out FILE [--status-lists all] [--url URL] [--log-key FILE] [--ledger-id HEX]',
  options: { ...NODE_OPTIONS, out: { type: 'string' }, 'status-lists': { type: 'string' } },
  async run({ values, io }) {
    const out = required(values, 'out');
    const lists = optional(values, 'status-lists');
    if (lists !== undefined && lists !== 'all') throw usageError('--status-lists must be all');
    const ledger = await client(values, io);
    const snap = await ledger.exportSnapshot(lists === 'all' ? { statusLists: 'all' } : {});
    await writeText(out, `${JSON.stringify(snap)}\n`, io);
    return print(io, {
      file: out,
      ledgerId: snap.state.ledgerId,
      treeSize: snap.state.size,
      issuers: snap.state.issuers.length,
      relyingParties: snap.state.rps.length,
    });
  },
};

const verifySnapshot_: Command = {
  name: 'verify-snapshot',
  summary: 'Check a trust snapshot offline (prints a JSON result; exit 0 valid, 1 invalid).',
  usage:
    'ledger verify-snapshot --snapshot FILE --log-key FILE [--ledger-id HEX] [--max-age DURATION]\n\n' +
    '  --log-key: the node’s log key (a public JWK, or the output of openmid ledger info).',
  options: {
    snapshot: { type: 'string' },
    'log-key': { type: 'string' },
    'ledger-id': { type: 'string' },
    'max-age': { type: 'string' },
  },
  async run({ values, io }) {
    const snap = await readJson(required(values, 'snapshot'), io);
    const logKey = await logKeyFromFile(required(values, 'log-key'), io);
    const ledgerId = ledgerIdOption(values);
    const maxAge = optional(values, 'max-age');
    try {
      const v = await verifySnapshot(snap, {
        logKey,
        ...(ledgerId === undefined ? {} : { ledgerId }),
        ...(maxAge === undefined
          ? {}
          : { maxAge: parseDuration(maxAge, 'max-age'), now: nowSeconds() }),
      });
      return print(io, {
        valid: true,
        ledgerId: v.head.ledgerId,
        treeSize: v.head.treeSize,
        rootHash: v.head.rootHash,
        timestamp: v.head.timestamp,
        issuers: [...v.state.issuers.keys()].sort(),
        relyingParties: [...v.state.rps.keys()].sort(),
        statusLists: v.state.statusLists.size,
      });
    } catch (e) {
      if (!isOpenMidError(e)) throw e;
      io.stdout(
        `${JSON.stringify({ valid: false, error: { code: e.code, message: e.message } })}\n`,
      );
      return 1;
    }
  },
};

/** `openmid ledger …` (register in commands/index.ts). */
export const ledger: Command = {
  name: 'ledger',
  summary:
    'The trust ledger: genesis, proposals and offline cosigning, submit, state, proofs, snapshots.',
  usage: 'ledger <command> [options]   (node: --url or LEDGER_URL, default http://localhost:7005)',
  subcommands: [info, init, propose_, cosign_, submit, state, prove, snapshot, verifySnapshot_],
};
