import { describe, expect, test } from 'vitest';
import { fixedClock, manualClock } from './clock.js';

describe('fixedClock', () => {
  test('returns NumericDate seconds of an ISO string, a Date or seconds', () => {
    expect(fixedClock('2026-03-01T09:00:00+09:00')()).toBe(1772323200);
    expect(fixedClock('2026-03-01')()).toBe(Date.parse('2026-03-01T00:00:00Z') / 1000);
    expect(fixedClock(new Date(1772323200_500))()).toBe(1772323200);
    expect(fixedClock(1772323200)()).toBe(1772323200);
  });

  test('rejects what is not a date', () => {
    expect(() => fixedClock('tomorrow')).toThrow(
      expect.objectContaining({ code: 'ERR_INPUT_INVALID' }),
    );
  });
});

describe('manualClock', () => {
  test('moves only when told', () => {
    const clock = manualClock('2026-03-01T00:00:00Z');
    const t0 = clock.now();
    expect(clock.now()).toBe(t0);
    clock.advance(301);
    expect(clock.now()).toBe(t0 + 301);
    clock.set('2027-01-01T00:00:00Z');
    expect(clock.now()).toBe(Date.parse('2027-01-01T00:00:00Z') / 1000);
  });
});
