/**
 * @module commands/issuer
 * `openmid issuer …`: operate a running issuer through its admin API (issue 3 §3): create offers,
 * change statuses, suspend a device, report a lost phone, import a register, run population
 * batches with a progress bar. Every call is authenticated with an admin API key and audited by
 * the issuer.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ADMIN_OPTIONS, type AdminClient, adminClient } from '../admin-http.js';
import { type Command, type Io, optional, required, usageError, type Values } from '../cli.js';

const SERVICE = {
  envUrl: 'ISSUER_URL',
  defaultUrl: 'http://localhost:7001',
  dataDir: '.data/issuer',
};

function client(values: Values, io: Io): Promise<AdminClient> {
  return adminClient(values, io, SERVICE);
}

function print(io: Io, value: unknown): number {
  io.stdout(`${JSON.stringify(value)}\n`);
  return 0;
}

function positiveInt(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^[1-9]\d{0,5}$/.test(text)) throw usageError(`--${name} must be a positive integer`);
  return Number(text);
}

const offer: Command = {
  name: 'offer',
  summary:
    'Create a credential offer for a citizen (prints credential_offer_uri, tx_code, offer_id).',
  usage: 'issuer offer --type TYPE --citizen ID [--copies N] [--url URL] [--admin-key KEY]',
  options: {
    ...ADMIN_OPTIONS,
    type: { type: 'string' },
    citizen: { type: 'string' },
    copies: { type: 'string' },
  },
  async run({ values, io }) {
    const type = required(values, 'type');
    const citizen = required(values, 'citizen');
    const copies = positiveInt(optional(values, 'copies'), 'copies', 1);
    const api = await client(values, io);
    const r = (await api.call('POST', '/admin/offers', {
      type,
      citizen_id: citizen,
      copies,
    })) as Record<string, unknown>;
    return print(io, {
      credential_offer_uri: r['credential_offer_uri'],
      tx_code: r['tx_code'],
      offer_id: r['offer_id'],
    });
  },
};

function statusCommand(action: 'revoke' | 'suspend' | 'reinstate', summary: string): Command {
  return {
    name: action,
    summary,
    usage: `issuer ${action} --credential ID [--url URL] [--admin-key KEY]`,
    options: { ...ADMIN_OPTIONS, credential: { type: 'string' } },
    async run({ values, io }) {
      const id = required(values, 'credential');
      const api = await client(values, io);
      return print(
        io,
        await api.call('POST', `/admin/credentials/${encodeURIComponent(id)}/${action}`),
      );
    },
  };
}

const suspendDevice: Command = {
  name: 'suspend-device',
  summary: 'Suspend every credential of a citizen bound to one device (one transaction).',
  usage:
    'issuer suspend-device --citizen ID --device-key-thumbprint T [--url URL] [--admin-key KEY]',
  options: {
    ...ADMIN_OPTIONS,
    citizen: { type: 'string' },
    'device-key-thumbprint': { type: 'string' },
  },
  async run({ values, io }) {
    const body = {
      citizen_id: required(values, 'citizen'),
      device_key_thumbprint: required(values, 'device-key-thumbprint'),
    };
    return print(io, await (await client(values, io)).call('POST', '/admin/devices/suspend', body));
  },
};

const lostPhone: Command = {
  name: 'lost-phone',
  summary:
    'Report a lost phone: suspend its credentials and prepare re-issuance offers for a new device.',
  usage: 'issuer lost-phone --citizen ID --device-key-thumbprint T [--url URL] [--admin-key KEY]',
  options: {
    ...ADMIN_OPTIONS,
    citizen: { type: 'string' },
    'device-key-thumbprint': { type: 'string' },
  },
  async run({ values, io }) {
    const body = {
      citizen_id: required(values, 'citizen'),
      device_key_thumbprint: required(values, 'device-key-thumbprint'),
    };
    return print(io, await (await client(values, io)).call('POST', '/admin/lost-phone', body));
  },
};

const revokeCitizen: Command = {
  name: 'revoke-citizen',
  summary: 'Revoke every credential of a citizen (e.g. plastic card reported lost).',
  usage: 'issuer revoke-citizen --citizen ID [--types T1,T2] [--url URL] [--admin-key KEY]',
  options: { ...ADMIN_OPTIONS, citizen: { type: 'string' }, types: { type: 'string' } },
  async run({ values, io }) {
    const types = optional(values, 'types');
    const body = types ? { types: types.split(',') } : {};
    return print(
      io,
      await (await client(values, io)).call(
        'POST',
        `/admin/citizens/${encodeURIComponent(required(values, 'citizen'))}/revoke`,
        body,
      ),
    );
  },
};

const importRegister: Command = {
  name: 'import',
  summary: "Import the agency's register of record (CSV or JSON Lines), validated by the profile.",
  usage: 'issuer import --file FILE [--format csv|jsonl] [--url URL] [--admin-key KEY]',
  options: { ...ADMIN_OPTIONS, file: { type: 'string' }, format: { type: 'string' } },
  async run({ values, io }) {
    const file = required(values, 'file');
    const format = optional(values, 'format') ?? (file.endsWith('.csv') ? 'csv' : 'jsonl');
    if (format !== 'csv' && format !== 'jsonl') throw usageError('--format must be csv or jsonl');
    const text = await readFile(resolve(io.cwd, file), 'utf8');
    const api = await client(values, io);
    return print(
      io,
      await api.call(
        'POST',
        '/admin/register/import',
        text,
        format === 'csv' ? 'text/csv' : 'application/x-ndjson',
      ),
    );
  },
};

function bar(done: number, total: number, rate: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${pct}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} offers, ${Math.round(rate).toLocaleString('en-US')}/s`;
}

const batchOffers: Command = {
  name: 'batch-offers',
  summary: 'Create offers for a whole register (resumable after a crash), with a progress bar.',
  usage:
    'issuer batch-offers --type TYPE --from register [--copies N] [--resume BATCH_ID] [--url URL] [--admin-key KEY]\n\n' +
    '  Progress goes to standard error; the final batch state (JSON) to standard output.\n' +
    '  Export the offers with GET /admin/batches/{id}/offers.',
  options: {
    ...ADMIN_OPTIONS,
    type: { type: 'string' },
    from: { type: 'string' },
    copies: { type: 'string' },
    resume: { type: 'string' },
  },
  async run({ values, io }) {
    if (required(values, 'from') !== 'register')
      throw usageError("--from must be 'register' (the issuer's register of record)");
    const api = await client(values, io);
    const resume = optional(values, 'resume');
    const started = (
      resume === undefined
        ? await api.call('POST', '/admin/batches', {
            type: required(values, 'type'),
            copies: positiveInt(optional(values, 'copies'), 'copies', 1),
          })
        : await api.call('POST', `/admin/batches/${encodeURIComponent(resume)}/resume`)
    ) as Record<string, unknown>;
    const id = String(started['batch_id']);
    const t0 = Date.now();
    const first = Number(started['offered'] ?? 0);
    let state = started;
    for (;;) {
      state = (await api.call('GET', `/admin/batches/${encodeURIComponent(id)}`)) as Record<
        string,
        unknown
      >;
      const offered = Number(state['offered'] ?? 0);
      const total = Number(state['total'] ?? 0);
      const rate = (offered - first) / Math.max((Date.now() - t0) / 1000, 0.001);
      io.stderr(`\r${bar(offered, total, rate)}`);
      if (state['state'] === 'completed') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    io.stderr('\n');
    return print(io, state);
  },
};

export const issuer: Command = {
  name: 'issuer',
  summary: 'Operate a running issuer: offers, statuses, devices, register import, batches.',
  usage: 'issuer <command> [options]   (ISSUER_URL, OPENMID_ADMIN_KEY or --url, --admin-key)',
  subcommands: [
    offer,
    statusCommand('revoke', 'Revoke a credential (final).'),
    statusCommand('suspend', 'Suspend a credential (can be reinstated).'),
    statusCommand('reinstate', 'Lift a suspension.'),
    suspendDevice,
    lostPhone,
    revokeCitizen,
    importRegister,
    batchOffers,
  ],
};
