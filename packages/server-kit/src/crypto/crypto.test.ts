import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { keyIdOf, localKms, rotateLocalKey, staticKms } from './kms.js';
import { createRecordCipher } from './record.js';

const place = { table: 'citizens', id: 'c-1' };
const personal = {
  name: '홍길동',
  rrn: '900101-1234567',
  address: '서울특별시 종로구 세종대로 209',
};

function flipByte(envelope: string, index: number): string {
  const [v, kid, data = ''] = envelope.split('.');
  const blob = Buffer.from(data, 'base64url');
  blob[index] = (blob[index] ?? 0) ^ 0x01;
  return `${v}.${kid}.${blob.toString('base64url')}`;
}

describe('record cipher (AES-256-GCM per record)', () => {
  const kms = staticKms([randomBytes(32)]);
  const cipher = createRecordCipher(kms);

  test('round-trips bytes, text and JSON', async () => {
    const sealed = await cipher.sealJson(personal, place);
    expect(sealed).toMatch(/^omr1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('900101');
    expect(await cipher.openJson(sealed, place)).toEqual(personal);
    const bytes = new Uint8Array([0, 1, 2, 255]);
    expect(await cipher.open(await cipher.seal(bytes, place), place)).toEqual(bytes);
    expect(await cipher.openText(await cipher.seal('', place), place)).toBe('');
  });

  test('uses a fresh nonce every time (same plaintext, different ciphertexts)', async () => {
    const a = await cipher.seal('same', place);
    const b = await cipher.seal('same', place);
    expect(a).not.toBe(b);
    const nonce = (e: string) => Buffer.from(e.split('.')[2] ?? '', 'base64url').subarray(0, 12);
    expect(nonce(a).equals(nonce(b))).toBe(false);
  });

  test('a ciphertext moved to another row or table does not open', async () => {
    const sealed = await cipher.seal('secret', place);
    await expect(cipher.open(sealed, { table: 'citizens', id: 'c-2' })).rejects.toMatchObject({
      code: 'ERR_RECORD_DECRYPT_FAILED',
    });
    await expect(cipher.open(sealed, { table: 'offers', id: 'c-1' })).rejects.toMatchObject({
      code: 'ERR_RECORD_DECRYPT_FAILED',
    });
    // Length-prefixed associated data: moving a character between table and id changes it.
    const ab = await cipher.seal('x', { table: 'a.b', id: 'c' });
    await expect(cipher.open(ab, { table: 'a', id: 'b.c' })).rejects.toMatchObject({
      code: 'ERR_RECORD_DECRYPT_FAILED',
    });
  });

  test('any tampered byte (nonce, ciphertext or tag) is refused with a message that reveals nothing', async () => {
    const sealed = await cipher.seal('secret value', place);
    const size = Buffer.from(sealed.split('.')[2] ?? '', 'base64url').length;
    for (const i of [0, 11, 12, size - 17, size - 16, size - 1]) {
      const err = await cipher.open(flipByte(sealed, i), place).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'ERR_RECORD_DECRYPT_FAILED',
        message: 'Record could not be decrypted',
      });
      expect((err as { details?: unknown }).details).toBeUndefined();
    }
    for (const bad of [
      '',
      'omr1..',
      'omr2.x.y',
      `${sealed}.extra`,
      sealed.slice(0, 30),
      'omr1.kid.!!!',
    ]) {
      await expect(cipher.open(bad, place)).rejects.toMatchObject({
        code: 'ERR_RECORD_DECRYPT_FAILED',
      });
    }
  });

  test('the wrong key does not open it', async () => {
    const sealed = await cipher.seal('secret', place);
    const kid = sealed.split('.')[1] ?? '';
    // Another key presented under the same id (a swapped key file).
    const impostor = createRecordCipher({
      currentKeyId: () => kid,
      dataKey: async () => randomBytes(32),
    });
    await expect(impostor.open(sealed, place)).rejects.toMatchObject({
      code: 'ERR_RECORD_DECRYPT_FAILED',
    });
    // A key ring without that id.
    const other = createRecordCipher(staticKms([randomBytes(32)]));
    await expect(other.open(sealed, place)).rejects.toMatchObject({
      code: 'ERR_KMS_KEY_UNAVAILABLE',
    });
  });

  test('rotation: old records open with the retired key, new ones use the current key', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = createRecordCipher(staticKms([oldKey]));
    const sealedOld = await before.seal('kept', place);
    const after = createRecordCipher(staticKms([newKey, oldKey], keyIdOf(newKey)));
    expect(await after.openText(sealedOld, place)).toBe('kept');
    expect(after.needsRotation(sealedOld)).toBe(true);
    const resealed = await after.seal(await after.open(sealedOld, place), place);
    expect(resealed.split('.')[1]).toBe(keyIdOf(newKey));
    expect(after.needsRotation(resealed)).toBe(false);
  });
});

describe('local key-file KMS', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'openmid-kms-'));
    dirs.push(d);
    return join(d, 'keys');
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test('creates a 32-byte key file with mode 0600 in a 0700 directory, and reuses it', async () => {
    const dir = tempDir();
    const kms = localKms({ dir });
    const st = statSync(join(dir, 'current.key'));
    expect(st.size).toBe(32);
    expect(st.mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const sealed = await createRecordCipher(kms).seal('x', place);
    const again = localKms({ dir });
    expect(again.currentKeyId()).toBe(kms.currentKeyId());
    expect(await createRecordCipher(again).openText(sealed, place)).toBe('x');
  });

  test('refuses a key file readable by group or others', () => {
    const dir = tempDir();
    localKms({ dir });
    for (const mode of [0o644, 0o604, 0o640, 0o660]) {
      chmodSync(join(dir, 'current.key'), mode);
      expect(() => localKms({ dir })).toThrow(
        expect.objectContaining({ code: 'ERR_KMS_KEY_INSECURE' }),
      );
    }
  });

  test('refuses a key file of the wrong size, and a missing one when creation is off', () => {
    const dir = tempDir();
    localKms({ dir });
    writeFileSync(join(dir, 'current.key'), randomBytes(16), { mode: 0o600 });
    expect(() => localKms({ dir })).toThrow(
      expect.objectContaining({ code: 'ERR_KMS_KEY_INSECURE' }),
    );
    expect(() => localKms({ dir: tempDir(), create: false })).toThrow(
      expect.objectContaining({ code: 'ERR_KMS_KEY_UNAVAILABLE' }),
    );
  });

  test('rotation retires the current key file and records still open', async () => {
    const dir = tempDir();
    const before = localKms({ dir });
    const sealed = await createRecordCipher(before).seal('kept', place);
    const { current, retired } = rotateLocalKey(dir);
    expect(retired).toBe(before.currentKeyId());
    expect(readdirSync(dir).sort()).toEqual(['current.key', `retired-${retired}.key`]);
    const after = localKms({ dir });
    expect(after.currentKeyId()).toBe(current);
    const cipher = createRecordCipher(after);
    expect(await cipher.openText(sealed, place)).toBe('kept');
    expect(cipher.needsRotation(sealed)).toBe(true);
  });
});
