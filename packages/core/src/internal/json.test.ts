import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { defineOwn, parseJsonStrict } from './json.js';

describe('parseJsonStrict', () => {
  test('parses what JSON.parse parses when there are no duplicates', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        expect(parseJsonStrict(text)).toEqual({ ok: true, value: JSON.parse(text) });
      }),
    );
  });

  test.each([
    ['top-level duplicate', '{"a":1,"a":2}'],
    ['nested duplicate', '{"x":{"a":1,"b":{},"a":2}}'],
    ['duplicate spelled with an escape', '{"a":1,"\\u0061":2}'],
    ['duplicate inside an array of objects', '[{"k":1},{"k":1,"k":1}]'],
  ])('rejects a %s', (_name, text) => {
    expect(parseJsonStrict(text)).toEqual({ ok: false, reason: 'duplicate' });
  });

  test('finds a duplicate anywhere among unique keys, including escaped quotes and backslashes', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.string({ maxLength: 6, unit: fc.constantFrom('a', '"', '\\', 'b', '\u00e9') }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.nat(),
        (keys, pick) => {
          const body = keys.map((k) => `${JSON.stringify(k)}:0`).join(',');
          expect(parseJsonStrict(`{${body}}`).ok).toBe(true);
          const dup = JSON.stringify(keys[pick % keys.length]);
          expect(parseJsonStrict(`{${body},${dup}:1}`)).toEqual({ ok: false, reason: 'duplicate' });
        },
      ),
    );
  });

  test('large objects switch to a set and still find duplicates', () => {
    const keys = Array.from({ length: 20_000 }, (_, i) => `"k${i}":${i}`);
    expect(parseJsonStrict(`{${keys.join(',')}}`).ok).toBe(true);
    expect(parseJsonStrict(`{${keys.join(',')},"k17":0}`)).toEqual({
      ok: false,
      reason: 'duplicate',
    });
  });

  test('allows the same name in sibling objects and as a value', () => {
    expect(parseJsonStrict('{"a":{"k":1},"b":{"k":"a"},"c":["a","a"]}').ok).toBe(true);
  });

  test('keys containing quotes, commas and braces are scanned correctly', () => {
    const text = JSON.stringify({ 'a",{': 1, b: 'x,"y":{' });
    expect(parseJsonStrict(text).ok).toBe(true);
  });

  test('rejects nesting beyond the depth cap before allocating', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(parseJsonStrict(deep)).toEqual({ ok: false, reason: 'depth' });
    expect(parseJsonStrict('[[[1]]]', 3).ok).toBe(true);
    expect(parseJsonStrict('[[[[1]]]]', 3)).toEqual({ ok: false, reason: 'depth' });
  });

  test.each(['', '{', '{"a":}', '{"a":1,}', 'undefined', '"unterminated'])(
    'rejects invalid JSON %j',
    (text) => {
      expect(parseJsonStrict(text)).toEqual({ ok: false, reason: 'syntax' });
    },
  );

  test('__proto__ stays an own data property and touches no prototype', () => {
    const result = parseJsonStrict('{"__proto__":{"polluted":true}}');
    expect(result.ok).toBe(true);
    const value = (result as { value: Record<string, unknown> }).value;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const target: Record<string, unknown> = {};
    defineOwn(target, '__proto__', { polluted: true });
    expect(Object.getPrototypeOf(target)).toBe(Object.prototype);
    expect(Object.keys(target)).toEqual(['__proto__']);
  });
});
