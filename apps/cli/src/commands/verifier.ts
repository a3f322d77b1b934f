/**
 * @module commands/verifier
 * `openmid verifier request|result|trust-bundle`: a relying party's side of a running verifier
 * service (issue 4 §5).
 *
 * - `request --rp ID --preset NAME | --dcql FILE` prints
 *   `{"transaction_id":…,"request_link":"openid4vp://…","same_device_url":…}` (exit 0);
 * - `result --transaction ID` prints the verified result JSON (exit 0), or the state
 *   (`pending`, `expired`, `refused`) or `{"error":{"code":"ERR_…","message":…}}` (exit 1);
 *   `--wait SECONDS` polls until the transaction is answered;
 * - `trust-bundle --out FILE` writes the signed offline trust bundle and, next to it,
 *   `FILE.keys.json`, the registry keys it verifies with (pinned at download time).
 *
 * The verifier is `--verifier URL`, else `OPENMID_VERIFIER_URL`, else http://localhost:7002.
 * The relying party's API key is read from `--api-key-file FILE`, else `OPENMID_RP_KEY`, else —
 * for the development demo — `.data/verifier/rp-keys/<rp>.key` (written by `npm start`).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { OpenMidError, type OpenMidErrorCode } from '@openmid/core/errors';
import { openTrustBundle, type TrustedKey } from '@openmid/verifier';
import { type Command, type Io, optional, required, usageError, type Values } from '../cli.js';
import { readJson, readText, writeText } from '../files.js';

const DEFAULT_VERIFIER = 'http://localhost:7002';

function verifierUrl(values: Values): string {
  const url =
    optional(values, 'verifier') ?? process.env['OPENMID_VERIFIER_URL'] ?? DEFAULT_VERIFIER;
  if (!/^https?:\/\/[^\s]+$/.test(url)) throw usageError('--verifier must be an http(s) URL');
  return url.replace(/\/+$/, '');
}

async function apiKey(values: Values, io: Io): Promise<string> {
  const file = optional(values, 'api-key-file');
  if (file !== undefined) return readText(file, io);
  const env = process.env['OPENMID_RP_KEY'];
  if (env !== undefined && env !== '') return env.trim();
  const rp = optional(values, 'rp');
  if (rp !== undefined && /^[a-z0-9][a-z0-9-]{0,62}$/.test(rp)) {
    try {
      return (
        await readFile(resolve(io.cwd, '.data/verifier/rp-keys', `${rp}.key`), 'utf8')
      ).trim();
    } catch {
      // fall through to the usage error
    }
  }
  throw usageError('no API key: give --api-key-file FILE or set OPENMID_RP_KEY');
}

/** An error from the service's JSON error body. */
function serviceError(status: number, body: unknown): OpenMidError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code =
    typeof b['code'] === 'string' && /^ERR_[A-Z0-9_]+$/.test(b['code'])
      ? b['code']
      : 'ERR_INTERNAL';
  const message = typeof b['message'] === 'string' ? b['message'] : `HTTP ${status}`;
  return new OpenMidError(code as OpenMidErrorCode, message);
}

async function call(
  url: string,
  init: RequestInit,
): Promise<{ status: number; body: unknown; text: string }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(15_000) });
  } catch (cause) {
    throw new OpenMidError('ERR_VP_VERIFIER_UNREACHABLE', `cannot reach ${new URL(url).origin}`, {
      cause,
    });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

const request: Command = {
  name: 'request',
  summary: 'Create a presentation request (prints transaction_id, request_link, same_device_url).',
  usage:
    'verifier request --rp ID (--preset NAME | --dcql FILE) [--redirect-uri URI] [--verifier URL] [--api-key-file FILE]\n\n' +
    '  presets: age-over-19, identity-basic, driving-qualification, full-identity-with-rrn',
  options: {
    rp: { type: 'string' },
    preset: { type: 'string' },
    dcql: { type: 'string' },
    'redirect-uri': { type: 'string' },
    verifier: { type: 'string' },
    'api-key-file': { type: 'string' },
  },
  async run({ values, io }) {
    const rp = required(values, 'rp');
    const preset = optional(values, 'preset');
    const dcqlFile = optional(values, 'dcql');
    if ((preset === undefined) === (dcqlFile === undefined))
      throw usageError('give either --preset or --dcql');
    const body: Record<string, unknown> = { rp };
    if (preset !== undefined) body['preset'] = preset;
    if (dcqlFile !== undefined) body['dcql'] = await readJson(dcqlFile, io);
    const redirect = optional(values, 'redirect-uri');
    if (redirect !== undefined) body['redirect_uri'] = redirect;
    const key = await apiKey(values, io);
    const r = await call(`${verifierUrl(values)}/v1/presentations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.status !== 201) throw serviceError(r.status, r.body);
    const created = r.body as Record<string, unknown>;
    io.stdout(
      `${JSON.stringify({
        transaction_id: created['transaction_id'],
        request_link: created['request_link'],
        same_device_url: created['same_device_url'],
      })}\n`,
    );
    return 0;
  },
};

const result: Command = {
  name: 'result',
  summary: 'Print the verified result of a transaction, or its state or error code.',
  usage:
    'verifier result --transaction ID [--rp ID] [--wait SECONDS] [--response-code CODE] [--verifier URL] [--api-key-file FILE]',
  options: {
    transaction: { type: 'string' },
    rp: { type: 'string' },
    wait: { type: 'string' },
    'response-code': { type: 'string' },
    verifier: { type: 'string' },
    'api-key-file': { type: 'string' },
  },
  async run({ values, io }) {
    const id = required(values, 'transaction');
    if (!/^[A-Za-z0-9_-]{22}$/.test(id))
      throw usageError('--transaction is a 22-character transaction id');
    const waitText = optional(values, 'wait') ?? '0';
    if (!/^\d{1,4}$/.test(waitText)) throw usageError('--wait is a number of seconds');
    const deadline = Date.now() + Number(waitText) * 1000;
    const key = await apiKey(values, io);
    const code = optional(values, 'response-code');
    const url = `${verifierUrl(values)}/v1/presentations/${id}${code === undefined ? '' : `?response_code=${encodeURIComponent(code)}`}`;
    for (;;) {
      const r = await call(url, { headers: { authorization: `Bearer ${key}` } });
      if (r.status !== 200) {
        const err = serviceError(r.status, r.body);
        io.stdout(`${JSON.stringify({ error: { code: err.code, message: err.message } })}\n`);
        return 1;
      }
      const view = r.body as Record<string, unknown>;
      if (view['status'] === 'pending' && Date.now() < deadline) {
        await new Promise((done) => setTimeout(done, 1000));
        continue;
      }
      io.stdout(`${JSON.stringify(view)}\n`);
      return view['status'] === 'verified' ? 0 : 1;
    }
  },
};

const trustBundle: Command = {
  name: 'trust-bundle',
  summary: 'Download the signed offline trust bundle (and the registry keys to pin).',
  usage:
    'verifier trust-bundle --out FILE [--verifier URL]\n\n  Also writes FILE.keys.json, the registry keys the bundle verifies with.',
  options: { out: { type: 'string' }, verifier: { type: 'string' } },
  async run({ values, io }) {
    const out = required(values, 'out');
    const base = verifierUrl(values);
    const jwks = await call(`${base}/.well-known/jwks.json`, {});
    const bundle = await call(`${base}/v1/trust-bundle`, {});
    if (jwks.status !== 200) throw serviceError(jwks.status, jwks.body);
    if (bundle.status !== 200) throw serviceError(bundle.status, bundle.body);
    const keys = keysOf(jwks.body);
    // Check it before writing: a bundle that does not open is not written.
    const opened = await openTrustBundle(bundle.text, { keys });
    await writeText(out, `${bundle.text}\n`, io);
    await writeText(`${out}.keys.json`, `${JSON.stringify(jwks.body, null, 2)}\n`, io);
    io.stdout(
      `${JSON.stringify({
        out,
        keys: `${out}.keys.json`,
        issued_at: new Date(opened.issuedAt * 1000).toISOString(),
        stale_after: new Date(
          (opened.issuedAt + Math.min(opened.maxAge.issuers, opened.maxAge.relyingParties)) * 1000,
        ).toISOString(),
        issuers: opened.issuers.length,
        relying_parties: opened.relyingParties.length,
      })}\n`,
    );
    return 0;
  },
};

/** Trusted keys from a JWK Set (`{ keys: [{ kid, … }] }`). */
export function keysOf(jwks: unknown): TrustedKey[] {
  const list = (jwks as { keys?: unknown })?.keys;
  if (!Array.isArray(list) || list.length === 0)
    throw new OpenMidError('ERR_CLI_FILE_UNREADABLE', 'not a JWK Set with keys');
  return list.map((k) => {
    const { kid, alg: _alg, use: _use, ...jwk } = (k ?? {}) as Record<string, unknown>;
    if (typeof kid !== 'string')
      throw new OpenMidError('ERR_CLI_FILE_UNREADABLE', 'a registry key has no kid');
    return { kid, jwk: jwk as unknown as TrustedKey['jwk'] };
  });
}

/** `openmid verifier …` */
export const verifier: Command = {
  name: 'verifier',
  summary: 'Relying-party side of the verifier service: request, result, trust-bundle.',
  usage: 'verifier <command> [options]',
  subcommands: [request, result, trustBundle],
};
