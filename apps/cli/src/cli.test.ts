/**
 * The `openmid` command-line contract of issue 2 §4, run in-process for every Korean credential
 * type: keygen → issue (with the type's example claims) → present → verify, and the failure modes
 * (exit 1 with a JSON error code, exit 2 on bad usage, --help everywhere).
 */
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { type Command, type Io, runCommand } from './cli.js';
import { commands } from './commands/index.js';

const root: Command = {
  name: 'openmid',
  summary: 'test',
  usage: '<command>',
  subcommands: commands,
};

interface Run {
  code: number;
  out: string;
  err: string;
}

let dir: string;

async function run(args: string[], stdin = ''): Promise<Run> {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    stdin: async () => stdin,
    cwd: dir,
  };
  const code = await runCommand(root, args, io);
  return { code, out, err };
}

async function file(name: string, content: string): Promise<string> {
  await writeFile(join(dir, name), content);
  return name;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openmid-cli-'));
  expect((await run(['keygen', '--out', 'issuer.jwk'])).code).toBe(0);
  const holder = await run(['keygen', '--alg', 'EdDSA', '--out', 'holder.jwk']);
  expect(holder.code).toBe(0);
  await file('holder.pub.jwk', holder.out);
  await file('issuer.pub.jwk', (await run(['keygen', '--out', 'unused.jwk'])).out);
});

describe('keygen', () => {
  test('writes the private JWK with mode 0600 and prints only the public JWK', async () => {
    const r = await run(['keygen', '--out', 'k.jwk']);
    expect(r.code).toBe(0);
    const pub = JSON.parse(r.out);
    expect(pub).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(pub.d).toBeUndefined();
    const priv = JSON.parse(await readFile(join(dir, 'k.jwk'), 'utf8'));
    expect(priv.d).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await stat(join(dir, 'k.jwk'))).mode & 0o777).toBe(0o600);
  });

  test('refuses to overwrite a key, and an unknown algorithm is a usage error', async () => {
    expect((await run(['keygen', '--out', 'k.jwk'])).code).toBe(1);
    expect((await run(['keygen', '--alg', 'RS256', '--out', 'x.jwk'])).code).toBe(2);
  });
});

describe('types --json', () => {
  test('describes the five Korean types with claims and an example', async () => {
    const r = await run(['types', '--json']);
    expect(r.code).toBe(0);
    const types = JSON.parse(r.out) as {
      name: string;
      vct: string;
      claims: { name: string }[];
      example: object;
    }[];
    expect(types.map((t) => t.name)).toEqual([
      'resident-id',
      'driving-licence',
      'disability',
      'public-servant',
      'employee-id',
    ]);
    for (const t of types) {
      expect(t.vct).toMatch(/^urn:openmid:kr:/);
      expect(t.claims.length).toBeGreaterThan(3);
      expect(t.claims[0]).toMatchObject({
        name: expect.any(String),
        type: expect.any(String),
        required: expect.any(Boolean),
        selectively_disclosable: expect.any(Boolean),
        labels: { ko: expect.any(String), en: expect.any(String) },
      });
    }
  });
});

describe('issue → present → verify for every Korean credential type', async () => {
  const types = JSON.parse(
    await (async () => {
      dir ??= await mkdtemp(join(tmpdir(), 'openmid-cli-'));
      return (await run(['types', '--json'])).out;
    })(),
  ) as {
    name: string;
    vct: string;
    claims: { name: string }[];
    example: Record<string, unknown>;
  }[];

  test.each(types.map((t) => [t.name, t] as const))('%s', async (name, type) => {
    const claims = await file(`${name}.claims.json`, JSON.stringify(type.example));
    const issued = await run([
      'issue',
      '--type',
      name,
      '--issuer-key',
      'issuer.jwk',
      '--iss',
      'https://agency.example',
      '--holder-key',
      'holder.pub.jwk',
      '--claims',
      claims,
    ]);
    expect(issued.err).toBe('');
    expect(issued.code).toBe(0);
    const cred = await file(`${name}.sdjwt`, issued.out);
    // Types with a birth date also carry the derived age_over_19 claim.
    const disclose = type.claims.some((c) => c.name === 'age_over_19')
      ? 'name,age_over_19'
      : 'name';
    const presented = await run([
      'present',
      '--credential',
      cred,
      '--holder-key',
      'holder.jwk',
      '--disclose',
      disclose,
      '--aud',
      'https://rp.example',
      '--nonce',
      'n-1',
    ]);
    expect(presented.code).toBe(0);
    const verified = await run(
      [
        'verify',
        '--presentation',
        '-',
        '--issuer-key',
        'issuer.jwk',
        '--aud',
        'https://rp.example',
        '--nonce',
        'n-1',
      ],
      presented.out,
    );
    expect(verified.code).toBe(0);
    const result = JSON.parse(verified.out);
    expect(result).toMatchObject({ valid: true, vct: type.vct, iss: 'https://agency.example' });
    expect(result.claims.name).toBe(type.example['name']);
    expect(Object.keys(result.claims).sort()).toEqual(disclose.split(',').sort()); // nothing else
  });
});

describe('verify failures print a JSON error and exit 1', () => {
  let presentation: string;
  beforeAll(async () => {
    const example = (JSON.parse((await run(['types', '--json'])).out) as { example: object }[])[1]
      ?.example;
    await file('dl.json', JSON.stringify(example));
    await run(['status-list', 'create', '--out', 'list.json', '--size', '1024']);
    const issued = await run([
      'issue',
      '--type',
      'driving-licence',
      '--issuer-key',
      'issuer.jwk',
      '--iss',
      'https://police.example',
      '--holder-key',
      'holder.pub.jwk',
      '--claims',
      'dl.json',
      '--status-uri',
      'https://police.example/sl/1',
      '--status-idx',
      '17',
    ]);
    await file('dl.sdjwt', issued.out);
    presentation = (
      await run([
        'present',
        '--credential',
        'dl.sdjwt',
        '--holder-key',
        'holder.jwk',
        '--disclose',
        'licence_classes,age_over_19,aptitude_test_period',
        '--aud',
        'rental',
        '--nonce',
        'abc',
      ])
    ).out;
    await file('p.txt', presentation);
  });

  const verifyArgs = (extra: string[] = []) => [
    'verify',
    '--presentation',
    'p.txt',
    '--issuer-key',
    'issuer.jwk',
    '--aud',
    'rental',
    '--nonce',
    'abc',
    ...extra,
  ];

  test('valid with a status list token signed by the issuer', async () => {
    const token = await run([
      'status-list',
      'token',
      '--list',
      'list.json',
      '--issuer-key',
      'issuer.jwk',
      '--uri',
      'https://police.example/sl/1',
      '--ttl',
      '1h',
    ]);
    await file('list.jwt', token.out);
    const r = await run(verifyArgs(['--status-list', 'list.jwt']));
    expect(JSON.parse(r.out)).toMatchObject({
      valid: true,
      claims: { licence_classes: expect.any(Array), age_over_19: expect.any(Boolean) },
    });
    expect(r.code).toBe(0);
  });

  test('status unknown without a list (never reported valid)', async () => {
    const r = await run(verifyArgs());
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({
      valid: false,
      error: { code: 'ERR_STATUS_UNKNOWN' },
    });
  });

  test.each([
    [
      'wrong nonce',
      [
        'verify',
        '--presentation',
        'p.txt',
        '--issuer-key',
        'issuer.jwk',
        '--aud',
        'rental',
        '--nonce',
        'other',
        '--status-list',
        'list.json',
      ],
      'ERR_SDJWT_KB_NONCE_MISMATCH',
    ],
    [
      'wrong audience',
      [
        'verify',
        '--presentation',
        'p.txt',
        '--issuer-key',
        'issuer.jwk',
        '--aud',
        'bank',
        '--nonce',
        'abc',
        '--status-list',
        'list.json',
      ],
      'ERR_SDJWT_KB_AUD_MISMATCH',
    ],
    [
      'untrusted issuer key',
      [
        'verify',
        '--presentation',
        'p.txt',
        '--issuer-key',
        'issuer.pub.jwk',
        '--aud',
        'rental',
        '--nonce',
        'abc',
        '--status-list',
        'list.json',
      ],
      'ERR_JOSE_SIGNATURE_INVALID',
    ],
  ])('%s', async (_name, args, code) => {
    const r = await run(args);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ valid: false, error: { code } });
  });

  test('tampered presentation', async () => {
    const tampered = presentation.replace(/~[^~]+~/, (d) => `~${d.slice(2, -1)}A~`);
    const r = await run(
      [
        'verify',
        '--presentation',
        '-',
        '--issuer-key',
        'issuer.jwk',
        '--aud',
        'rental',
        '--nonce',
        'abc',
        '--status-list',
        'list.json',
      ],
      tampered,
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error.code).toMatch(/^ERR_/);
  });

  test('suspended, then revoked (final)', async () => {
    await run([
      'status-list',
      'set',
      '--list',
      'list.json',
      '--idx',
      '17',
      '--status',
      'SUSPENDED',
    ]);
    expect(JSON.parse((await run(verifyArgs(['--status-list', 'list.json']))).out).error.code).toBe(
      'ERR_STATUS_SUSPENDED',
    );
    expect(
      JSON.parse((await run(['status-list', 'get', '--list', 'list.json', '--idx', '17'])).out),
    ).toEqual({ idx: 17, status: 2, label: 'SUSPENDED' });
    await run(['status-list', 'set', '--list', 'list.json', '--idx', '17', '--status', 'INVALID']);
    expect(JSON.parse((await run(verifyArgs(['--status-list', 'list.json']))).out).error.code).toBe(
      'ERR_STATUS_REVOKED',
    );
    const back = await run([
      'status-list',
      'set',
      '--list',
      'list.json',
      '--idx',
      '17',
      '--status',
      'VALID',
    ]);
    expect(back.code).toBe(1);
    expect(back.err).toContain('ERR_STATUS_VALUE_INVALID');
  });
});

describe('usage', () => {
  test('--help works on every command and sub-command', async () => {
    for (const c of commands) {
      const r = await run([c.name, '--help']);
      expect(r.code, c.name).toBe(0);
      expect(r.out).toContain(`Usage: openmid ${c.name}`);
      expect(r.out, 'the command name once').not.toContain(`${c.name} ${c.name}`);
      for (const sub of c.subcommands ?? []) {
        const h = await run([c.name, sub.name, '--help']);
        expect(h.code).toBe(0);
        expect(h.out.split('\n')[0]).toBe(`Usage: openmid ${sub.usage.split('\n')[0]}`);
      }
    }
    expect((await run(['--help'])).out).toContain('Commands:');
  });

  test.each([
    [['nonsense']],
    [[]],
    [['issue', '--type', 'driving-licence']],
    [['issue', '--bogus']],
    [
      [
        'present',
        '--credential',
        'x',
        '--holder-key',
        'y',
        '--disclose',
        'a..b',
        '--aud',
        'a',
        '--nonce',
        'n',
      ],
    ],
    [['status-list', 'create', '--out', 'x', '--bits', '3']],
  ])('bad usage %j exits 2 with a message', async (args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Usage: openmid/);
  });

  test('an unknown credential type fails with its code', async () => {
    const r = await run(
      [
        'issue',
        '--type',
        'passport',
        '--issuer-key',
        'issuer.jwk',
        '--iss',
        'x',
        '--holder-key',
        'holder.pub.jwk',
        '--claims',
        '-',
      ],
      '{}',
    );
    expect(r.code).toBe(1);
    expect(r.err).toContain('ERR_PROFILE_TYPE_UNKNOWN');
  });
});
