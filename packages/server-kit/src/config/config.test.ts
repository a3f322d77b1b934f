import { isOpenMidError } from '@openmid/core/errors';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { envVar, loadConfig, serviceConfigShape } from './config.js';

const Config = z.object({
  ...serviceConfigShape({ port: 7001 }),
  ISSUER_NAME: z.string().min(1),
  ISSUER_BATCH: envVar.int({ min: 1, max: 100, default: 10 }),
  ISSUER_STRICT: envVar.boolean(false),
});

function problem(fn: () => unknown): { message: string; variables: unknown } {
  try {
    fn();
  } catch (e) {
    if (isOpenMidError(e, 'ERR_CONFIG_INVALID')) {
      return { message: e.message, variables: e.details?.['variables'] };
    }
    throw e;
  }
  throw new Error('expected ERR_CONFIG_INVALID');
}

describe('loadConfig', () => {
  test('applies the common defaults', () => {
    const config = loadConfig(Config, { ISSUER_NAME: 'Police' });
    expect(config).toEqual({
      PORT: 7001,
      HOST: '127.0.0.1',
      DATABASE_URL: undefined,
      DATA_DIR: './data',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
      PUBLIC_URL: 'http://localhost:7001',
      ISSUER_NAME: 'Police',
      ISSUER_BATCH: 10,
      ISSUER_STRICT: false,
    });
  });

  test('parses the variables it declares and ignores the rest of the environment', () => {
    const config = loadConfig(Config, {
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/issuer',
      PUBLIC_URL: 'https://issuer.example.kr/',
      ISSUER_NAME: 'Police',
      ISSUER_STRICT: 'false',
      PATH: '/usr/bin',
      HOME: '/root',
    });
    expect(config.PORT).toBe(8080);
    expect(config.PUBLIC_URL).toBe('https://issuer.example.kr'); // trailing slash dropped
    expect(config.ISSUER_STRICT).toBe(false); // not z.coerce.boolean's "any non-empty string"
    expect(config).not.toHaveProperty('PATH');
  });

  test('treats an empty variable as unset', () => {
    expect(loadConfig(Config, { ISSUER_NAME: 'x', PORT: '', DATABASE_URL: '' }).PORT).toBe(7001);
  });

  test('is deep-frozen', () => {
    const Nested = z.object({ LIST: z.string().transform((s) => ({ items: s.split(',') })) });
    const config = loadConfig(Nested, { LIST: 'a,b' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.LIST)).toBe(true);
    expect(Object.isFrozen(config.LIST.items)).toBe(true);
  });

  test('fails once, naming every bad or missing variable', () => {
    const p = problem(() =>
      loadConfig(Config, {
        PORT: '99999',
        LOG_LEVEL: 'loud',
        PUBLIC_URL: 'ftp://x',
        ISSUER_BATCH: 'many',
      }),
    );
    expect(p.variables).toEqual(
      expect.arrayContaining(['PORT', 'LOG_LEVEL', 'PUBLIC_URL', 'ISSUER_BATCH', 'ISSUER_NAME']),
    );
    expect(p.message).toContain('ISSUER_NAME is required');
    expect(p.message).toContain('PORT must be a port 1-65535');
  });

  test('never echoes a value, secrets included', () => {
    const secret = 'mysql://admin:S3cr3t-Passw0rd@db/issuer';
    const Secretive = z.object({
      DATABASE_URL: envVar.postgresUrl(),
      TOKEN: z.string().refine((v) => v.length > 100, { message: 'bad token abcdefgh' }),
    });
    const p = problem(() => loadConfig(Secretive, { DATABASE_URL: secret, TOKEN: 'abcdefgh' }));
    expect(p.variables).toEqual(['DATABASE_URL', 'TOKEN']);
    expect(p.message).not.toContain('S3cr3t');
    expect(p.message).not.toContain('abcdefgh'); // a custom message quoting the input is masked
  });

  test('reports misspelt variables of the service prefix', () => {
    const p = problem(() =>
      loadConfig(Config, { ISSUER_NAME: 'x', ISSUER_BACTH: '5' }, { prefixes: ['ISSUER_'] }),
    );
    expect(p.variables).toEqual(['ISSUER_BACTH']);
  });
});
