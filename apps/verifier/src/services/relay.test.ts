/**
 * The in-person relay's limits (docs/in-person.md): only ISO/IEC 18013-5 session messages pass,
 * one reader per session, tokens per side, size, queue and session limits, the time limit, and
 * the long poll.
 */
import {
  encodeSessionData,
  encodeSessionEstablishment,
  generateEphemeralKey,
} from '@openmid/core/mdoc';
import { describe, expect, test } from 'vitest';
import { createRelay } from './relay.js';

async function establishment(): Promise<Uint8Array> {
  const key = await generateEphemeralKey();
  return encodeSessionEstablishment(key.publicKeyBytes, new Uint8Array(32).fill(1));
}
const data = (n = 32): Uint8Array => encodeSessionData({ data: new Uint8Array(n).fill(2) });

describe('in-person relay', () => {
  test('carries messages both ways; the first reader message claims the session', async () => {
    const relay = createRelay();
    const { session, holderToken } = relay.open();
    const est = await establishment();
    const { readerToken } = relay.post(session, 'to-holder', undefined, est);
    expect(readerToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await relay.receive(session, 'to-holder', holderToken, 0)).toEqual(est);
    relay.post(session, 'to-reader', holderToken, data());
    expect(await relay.receive(session, 'to-reader', readerToken, 0)).toEqual(data());
    // A second reader (no token, or a guessed one) is refused.
    expect(() => relay.post(session, 'to-holder', undefined, data())).toThrow(
      expect.objectContaining({ code: 'ERR_MDOC_RELAY_SESSION_TAKEN' }),
    );
    expect(() => relay.post(session, 'to-holder', 'x'.repeat(43), data())).toThrow(
      expect.objectContaining({ code: 'ERR_MDOC_RELAY_SESSION_TAKEN' }),
    );
  });

  test('only session messages pass: anything else is ERR_MDOC_SESSION_MALFORMED', async () => {
    const relay = createRelay();
    const { session, holderToken } = relay.open();
    expect(() => relay.post(session, 'to-holder', undefined, new Uint8Array([0xa0]))).toThrow(
      expect.objectContaining({ code: 'ERR_MDOC_SESSION_MALFORMED' }),
    );
    expect(() =>
      relay.post(session, 'to-reader', holderToken, new TextEncoder().encode('hello')),
    ).toThrow(expect.objectContaining({ code: 'ERR_MDOC_SESSION_MALFORMED' }));
  });

  test('tokens are per side; unknown sessions and wrong tokens look alike', async () => {
    const relay = createRelay();
    const { session, holderToken } = relay.open();
    const { readerToken } = relay.post(session, 'to-holder', undefined, await establishment());
    await expect(relay.receive(session, 'to-holder', readerToken, 0)).rejects.toMatchObject({
      code: 'ERR_MDOC_RELAY_SESSION_UNKNOWN',
    });
    await expect(relay.receive(session, 'to-reader', holderToken, 0)).rejects.toMatchObject({
      code: 'ERR_MDOC_RELAY_SESSION_UNKNOWN',
    });
    await expect(
      relay.receive('AAAAAAAAAAAAAAAAAAAAAA', 'to-holder', holderToken, 0),
    ).rejects.toMatchObject({ code: 'ERR_MDOC_RELAY_SESSION_UNKNOWN' });
    expect(() => relay.post(session, 'to-reader', undefined, data())).toThrow(
      expect.objectContaining({ code: 'ERR_MDOC_RELAY_SESSION_UNKNOWN' }),
    );
  });

  test('size, queue and session limits (ERR_MDOC_RELAY_LIMIT)', async () => {
    const relay = createRelay({ maxMessage: 1024, maxQueued: 2, maxSessions: 2 });
    const { session, holderToken } = relay.open();
    expect(() => relay.post(session, 'to-reader', holderToken, data(2048))).toThrow(
      expect.objectContaining({ code: 'ERR_MDOC_RELAY_LIMIT' }),
    );
    relay.post(session, 'to-reader', holderToken, data());
    relay.post(session, 'to-reader', holderToken, data());
    expect(() => relay.post(session, 'to-reader', holderToken, data())).toThrow(
      expect.objectContaining({ code: 'ERR_MDOC_RELAY_LIMIT' }),
    );
    relay.open();
    expect(() => relay.open()).toThrow(expect.objectContaining({ code: 'ERR_MDOC_RELAY_LIMIT' }));
  });

  test('a session ends after its time limit, whatever is queued', async () => {
    let now = 1_000_000;
    const relay = createRelay({ ttl: 60, now: () => now });
    const { session, holderToken } = relay.open();
    relay.post(session, 'to-reader', holderToken, data());
    now += 60_001;
    await expect(relay.receive(session, 'to-holder', holderToken, 0)).rejects.toMatchObject({
      code: 'ERR_MDOC_RELAY_SESSION_UNKNOWN',
    });
    expect(relay.size).toBe(0);
  });

  test('a long poll returns the message posted while it waits, or nothing after the wait', async () => {
    const relay = createRelay();
    const { session, holderToken } = relay.open();
    const waiting = relay.receive(session, 'to-holder', holderToken, 5000);
    const est = await establishment();
    relay.post(session, 'to-holder', undefined, est);
    expect(await waiting).toEqual(est);
    expect(await relay.receive(session, 'to-holder', holderToken, 20)).toBeUndefined();
  });
});
