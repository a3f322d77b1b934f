import { OpenMidError } from '@openmid/core/errors';
import { describe, expect, test } from 'vitest';
import { captureLogs } from '../testing/logs.js';
import { isSensitiveKey, REDACTED, redact, safeError, scrubText } from './logger.js';

const RRN = '900101-1234567';
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

describe('redact', () => {
  test('redacts deny-listed keys at any depth and in any spelling', () => {
    const out = redact({
      ok: 'visible',
      tx_code: '493817',
      nested: {
        deeper: [{ 'pre-authorized_code': 'SplxlOBeZQ', accessToken: 'abc', Name: '홍길동' }],
      },
      client_secret: 's',
      errorCode: 'ERR_INPUT_INVALID',
    });
    expect(out).toEqual({
      ok: 'visible',
      tx_code: REDACTED,
      nested: {
        deeper: [{ 'pre-authorized_code': REDACTED, accessToken: REDACTED, Name: REDACTED }],
      },
      client_secret: REDACTED,
      errorCode: 'ERR_INPUT_INVALID',
    });
  });

  test('scrubs token- and identifier-shaped values under innocent keys', () => {
    const out = JSON.stringify(
      redact({
        note: `token ${JWT}~WyJzYWx0IiwibmFtZSIsIkEiXQ~ rrn ${RRN} mail hong@example.kr tel 010-1234-5678`,
        auth: 'Bearer abc.def',
        key: 'omk_0123456789abcdef01234567_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ',
      }),
    );
    for (const v of [
      JWT,
      'WyJzYWx0',
      RRN,
      'hong@example.kr',
      '010-1234-5678',
      'abc.def',
      'omk_01',
    ]) {
      expect(out).not.toContain(v);
    }
  });

  test('does not touch the prototype for __proto__ keys and survives cycles', () => {
    const evil = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    evil['self'] = evil;
    const out = redact(evil) as Record<string, unknown>;
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(out['self']).toBe('[CIRCULAR]');
  });

  test('key matching ignores case and punctuation, and catches *token / *secret', () => {
    for (const k of [
      'TX-CODE',
      'txCode',
      'code_verifier',
      'subject_token',
      'dpop',
      'Cookie',
      'rrn',
    ]) {
      expect(isSensitiveKey(k)).toBe(true);
    }
    for (const k of ['route', 'status', 'errorCode', 'reqId', 'ms', 'method']) {
      expect(isSensitiveKey(k)).toBe(false);
    }
  });
});

describe('safeError', () => {
  test('keeps an OpenMID code and message, drops a foreign message, keeps cause types', () => {
    let parseError: unknown;
    try {
      JSON.parse(`{"rrn": ${RRN}}`); // V8 quotes the input in this message
    } catch (e) {
      parseError = e;
    }
    const e = new OpenMidError('ERR_STORE_QUERY_FAILED', 'SQL statement failed (22P02)', {
      cause: parseError,
      details: { sqlState: '22P02', name: 'x' },
    });
    const out = safeError(e);
    expect(out).toMatchObject({
      type: 'OpenMidError',
      errorCode: 'ERR_STORE_QUERY_FAILED',
      message: 'SQL statement failed (22P02)',
      details: { sqlState: '22P02', name: REDACTED },
      cause: { type: 'SyntaxError' },
    });
    expect(JSON.stringify(out)).not.toContain('900101');
    expect(Array.isArray(out['stack'])).toBe(true);
  });
});

describe('createLogger', () => {
  test('writes JSON lines with redacted objects, bindings and messages', () => {
    const logs = captureLogs();
    const child = logs.logger.child({ reqId: 'r1', pin: '1234' });
    child.info({ route: '/token', body: { tx_code: '493817' } }, `user ${RRN} sent ${JWT}`);
    child.error(new Error(`failed for ${RRN}`));
    const text = logs.text();
    for (const v of ['493817', RRN, JWT, '1234"']) expect(text).not.toContain(v);
    const [first] = logs.entries();
    expect(first).toMatchObject({ reqId: 'r1', pin: REDACTED, route: '/token', body: REDACTED });
    expect(scrubText(`x ${RRN}`)).toBe(`x ${REDACTED}`);
  });
});
