/**
 * @module admin-http
 * Talking to a running OpenMID service's admin API: base URL and API key from flags, the
 * environment, or the development bootstrap key file; JSON in and out; service errors become
 * OpenMID errors with the service's code (the CLI prints the code and exits 1).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OpenMidError, type OpenMidErrorCode } from '@openmid/core/errors';
import type { Io, OptionSpec, Values } from './cli.js';

/** Options every admin command accepts. */
export const ADMIN_OPTIONS: OptionSpec = {
  url: { type: 'string' },
  'admin-key': { type: 'string' },
};

/** A connection to a service's admin API. */
export interface AdminClient {
  readonly url: string;
  call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<unknown>;
}

/**
 * Resolve the service URL and admin key: `--url` / `--admin-key`, else `<PREFIX>_URL` /
 * `OPENMID_ADMIN_KEY`, else the default URL and the bootstrap key file the service wrote into its
 * data folder in development (`<dataDir>/admin-api-key`).
 */
export async function adminClient(
  values: Values,
  io: Io,
  service: { readonly envUrl: string; readonly defaultUrl: string; readonly dataDir: string },
): Promise<AdminClient> {
  const url =
    (typeof values['url'] === 'string' ? values['url'] : process.env[service.envUrl]) ??
    service.defaultUrl;
  let key =
    typeof values['admin-key'] === 'string'
      ? values['admin-key']
      : process.env['OPENMID_ADMIN_KEY'];
  if (key === undefined) {
    const file = join(resolve(io.cwd, process.env['DATA_DIR'] ?? service.dataDir), 'admin-api-key');
    try {
      key = (await readFile(file, 'utf8')).trim();
    } catch {
      throw new OpenMidError(
        'ERR_AUTH_REQUIRED',
        `No admin key: pass --admin-key, set OPENMID_ADMIN_KEY, or run the service in development (${file})`,
      );
    }
  }
  const base = url.replace(/\/+$/, '');
  return {
    url: base,
    async call(method, path, body, contentType = 'application/json') {
      let res: Response;
      try {
        res = await fetch(`${base}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${key}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': contentType }),
          },
          ...(body === undefined
            ? {}
            : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        });
      } catch (cause) {
        throw new OpenMidError(
          'ERR_STORE_UNAVAILABLE',
          `Cannot reach ${base} (is the service running?)`,
          { cause },
        );
      }
      const text = await res.text();
      let json: unknown;
      try {
        json = text === '' ? {} : JSON.parse(text);
      } catch {
        json = { message: text.slice(0, 200) };
      }
      if (!res.ok) throw serviceError(res.status, json);
      return json;
    },
  };
}

function serviceError(status: number, body: unknown): OpenMidError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code =
    typeof b['code'] === 'string' && /^ERR_[A-Z0-9_]+$/.test(b['code']) ? b['code'] : undefined;
  const message = typeof b['message'] === 'string' ? b['message'] : `HTTP ${status}`;
  // The service's code is passed through as is (a newer service may know codes this CLI does not).
  return new OpenMidError((code ?? 'ERR_INTERNAL') as OpenMidErrorCode, message, {
    details: { status },
  });
}
