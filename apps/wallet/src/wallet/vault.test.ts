import { describe, expect, test } from 'vitest';
import { b64u, randomBytes } from './bytes.js';
import { type KvStore, memoryStore } from './store.js';
import { createVault, MAX_PIN_ATTEMPTS, type PrfSource, type VaultHeader } from './vault.js';

const PIN = '481920';
const fast = { iterations: 1000 };

async function ready(store = memoryStore()) {
  const vault = createVault(store, fast);
  await vault.setUp(PIN);
  return { vault, store };
}

function fakePrf(secret = randomBytes(32)): PrfSource & { secret: Uint8Array } {
  return {
    secret,
    async enrol() {
      return { credentialId: 'cred-1', prfSalt: b64u(randomBytes(32)), secret: this.secret };
    },
    async evaluate() {
      return this.secret;
    },
  };
}

describe('vault onboarding and records', () => {
  test('a new wallet is set up with a PIN and seals records it can open again', async () => {
    const store = memoryStore();
    const vault = createVault(store, fast);
    expect(await vault.state()).toBe('new');
    await vault.setUp(PIN);
    expect(await vault.state()).toBe('unlocked');
    await vault.seal('cards', 'c1', { name: '홍길동', rrn: '900101-1234567' });
    expect(await vault.open('cards', 'c1')).toEqual({ name: '홍길동', rrn: '900101-1234567' });
    expect((await vault.list('cards')).map((r) => r.id)).toEqual(['c1']);
  });

  test('nothing personal is stored in plain text', async () => {
    const { vault, store } = await ready();
    await vault.seal('cards', 'c1', { name: '홍길동', rrn: '900101-1234567' });
    const text = JSON.stringify(store.dump());
    expect(text).not.toContain('홍길동');
    expect(text).not.toContain('900101');
  });

  test('the device key cannot be exported (WebCrypto non-extractable)', async () => {
    const { store } = await ready();
    const device = (await store.get('keys', 'device')) as CryptoKey;
    expect(device.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', device)).rejects.toThrow();
  });

  test('a locked vault opens no record', async () => {
    const { vault } = await ready();
    await vault.seal('history', 'h1', { x: 1 });
    vault.lock();
    expect(await vault.state()).toBe('locked');
    await expect(vault.open('history', 'h1')).rejects.toMatchObject({ code: 'ERR_WALLET_LOCKED' });
  });

  test('a record moved to another id does not open (record id is associated data)', async () => {
    const { vault, store } = await ready();
    await vault.seal('cards', 'a', { n: 1 });
    await store.put('cards', 'b', await store.get('cards', 'a'));
    await expect(vault.open('cards', 'b')).rejects.toMatchObject({
      code: 'ERR_WALLET_RECORD_CORRUPT',
    });
  });

  test('a record moved to another store does not open', async () => {
    const { vault, store } = await ready();
    await vault.seal('cards', 'a', { n: 1 });
    await store.put('history', 'a', await store.get('cards', 'a'));
    await expect(vault.open('history', 'a')).rejects.toMatchObject({
      code: 'ERR_WALLET_RECORD_CORRUPT',
    });
  });

  test('an edited record does not open', async () => {
    const { vault, store } = await ready();
    await vault.seal('cards', 'a', { n: 1 });
    const r = (await store.get('cards', 'a')) as { ct: string };
    const flipped = `${r.ct.slice(0, 5)}${r.ct[5] === 'A' ? 'B' : 'A'}${r.ct.slice(6)}`;
    await store.put('cards', 'a', { ...r, ct: flipped });
    await expect(vault.open('cards', 'a')).rejects.toMatchObject({
      code: 'ERR_WALLET_RECORD_CORRUPT',
    });
  });
});

describe('PIN', () => {
  test.each(['12345', '1234567', 'abcdef', '111111', '123456', '654321', '345678'])(
    'refuses %s as a PIN',
    async (pin) => {
      await expect(createVault(memoryStore(), fast).setUp(pin)).rejects.toMatchObject({
        code: 'ERR_WALLET_PIN_FORMAT',
      });
    },
  );

  test('the right PIN unlocks after a reload', async () => {
    const { vault, store } = await ready();
    await vault.seal('cards', 'c', { ok: true });
    const reloaded = createVault(store, fast);
    expect(await reloaded.state()).toBe('locked');
    await reloaded.unlock(PIN);
    expect(await reloaded.open('cards', 'c')).toEqual({ ok: true });
  });

  test('wrong PINs are counted persistently and a right one resets the count', async () => {
    const { store } = await ready();
    await expect(createVault(store, fast).unlock('975310')).rejects.toMatchObject({
      code: 'ERR_WALLET_PIN_WRONG',
      details: { attemptsLeft: 4 },
    });
    const again = createVault(store, fast); // a reload does not forget
    expect(await again.attemptsLeft()).toBe(4);
    await expect(again.unlock('975311')).rejects.toMatchObject({ details: { attemptsLeft: 3 } });
    await again.unlock(PIN);
    expect(await again.attemptsLeft()).toBe(MAX_PIN_ATTEMPTS);
  });

  test('the attempt is written before the PIN is checked (closing the tab still counts)', async () => {
    const { store } = await ready();
    const hanging: KvStore = {
      ...store,
      get: async (s, k) => {
        if (s === 'keys' && k === 'device') throw new Error('tab closed');
        return store.get(s, k);
      },
    };
    await expect(createVault(hanging, fast).unlock(PIN)).rejects.toThrow();
    expect(await createVault(store, fast).attemptsLeft()).toBe(MAX_PIN_ATTEMPTS - 1);
  });

  test('the fifth wrong PIN destroys the wrapped data key: even the right PIN cannot open it', async () => {
    const { vault, store } = await ready();
    await vault.seal('cards', 'c', { ok: true });
    const v = createVault(store, fast);
    for (let i = 0; i < MAX_PIN_ATTEMPTS - 1; i++)
      await expect(v.unlock('975310')).rejects.toMatchObject({ code: 'ERR_WALLET_PIN_WRONG' });
    await expect(v.unlock('975310')).rejects.toMatchObject({ code: 'ERR_WALLET_LOCKED_OUT' });
    expect(await v.state()).toBe('locked-out');
    const header = (await store.get('meta', 'vault')) as VaultHeader;
    expect(header.pin).toBeUndefined();
    await expect(createVault(store, fast).unlock(PIN)).rejects.toMatchObject({
      code: 'ERR_WALLET_LOCKED_OUT',
    });
  });

  test('a copied database does not open without the original device key', async () => {
    const { vault, store } = await ready();
    await vault.seal('cards', 'c', { ok: true });
    const copy = memoryStore();
    for (const s of ['meta', 'cards'] as const)
      for (const [k, v] of await store.entries(s)) await copy.put(s, k, v);
    // The attacker's own device key: the outer layer of the wrapped data key does not open.
    await copy.put(
      'keys',
      'device',
      await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
        'encrypt',
        'decrypt',
      ]),
    );
    await expect(createVault(copy, fast).unlock(PIN)).rejects.toMatchObject({
      code: 'ERR_WALLET_RECORD_CORRUPT',
    });
  });

  test('changing the PIN keeps the records and retires the old PIN', async () => {
    const { vault, store } = await ready();
    await vault.seal('settings', 's', { lang: 'en' });
    await vault.changePin(PIN, '270419');
    const v = createVault(store, fast);
    await expect(v.unlock(PIN)).rejects.toMatchObject({ code: 'ERR_WALLET_PIN_WRONG' });
    await v.unlock('270419');
    expect(await v.open('settings', 's')).toEqual({ lang: 'en' });
  });

  test('factory reset removes every key and record', async () => {
    const { vault, store } = await ready();
    await vault.seal('cards', 'c', { ok: true });
    await vault.factoryReset();
    expect(await vault.state()).toBe('new');
    expect(JSON.stringify(store.dump())).toBe(
      JSON.stringify({ meta: {}, keys: {}, cards: {}, history: {}, settings: {} }),
    );
  });
});

describe('biometric unlock (WebAuthn PRF)', () => {
  test('an enrolled PRF secret unlocks the same data key', async () => {
    const { vault, store } = await ready();
    await vault.seal('cards', 'c', { ok: true });
    const prf = fakePrf();
    await vault.enrolBiometrics(PIN, prf);
    vault.lock();
    const v = createVault(store, fast);
    expect(await v.hasBiometrics()).toBe(true);
    await v.unlockWithBiometrics(prf);
    expect(await v.open('cards', 'c')).toEqual({ ok: true });
  });

  test('another PRF secret does not unlock', async () => {
    const { vault } = await ready();
    const prf = fakePrf();
    await vault.enrolBiometrics(PIN, prf);
    vault.lock();
    prf.secret = randomBytes(32);
    await expect(vault.unlockWithBiometrics(prf)).rejects.toMatchObject({
      code: 'ERR_WALLET_BIOMETRIC_FAILED',
    });
  });

  test('lock-out also destroys the biometric wrap', async () => {
    const { vault, store } = await ready();
    await vault.enrolBiometrics(PIN, fakePrf());
    vault.lock();
    for (let i = 0; i < MAX_PIN_ATTEMPTS; i++) await vault.unlock('975310').catch(() => undefined);
    expect(((await store.get('meta', 'vault')) as VaultHeader).biometric).toBeUndefined();
    await expect(vault.unlockWithBiometrics(fakePrf())).rejects.toMatchObject({
      code: 'ERR_WALLET_LOCKED_OUT',
    });
  });
});
