import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { staticKms } from './kms.js';
import { createRecordCipher } from './record.js';
import { loadOrCreateSealedFile } from './sealed-file.js';

const cipher = createRecordCipher(staticKms([randomBytes(32)]));
const fresh = () => mkdtempSync(join(tmpdir(), 'openmid-sealed-'));

describe('loadOrCreateSealedFile', () => {
  test('creates once (mode 0600, sealed), then reads the same value back', async () => {
    const dir = join(fresh(), 'data');
    let made = 0;
    const create = async () => ({ secret: `s-${++made}` });
    const first = await loadOrCreateSealedFile(dir, 'keys.json', cipher, create);
    const again = await loadOrCreateSealedFile(dir, 'keys.json', cipher, create);
    expect(first).toEqual({ secret: 's-1' });
    expect(again).toEqual(first);
    expect(made).toBe(1);
    expect(statSync(join(dir, 'keys.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'keys.json'), 'utf8')).not.toContain('s-1');
  });

  test('two starts at once agree on one value', async () => {
    const dir = fresh();
    let n = 0;
    const create = async () => ({ secret: `s-${++n}` });
    const [a, b] = await Promise.all([
      loadOrCreateSealedFile(dir, 'k.json', cipher, create),
      loadOrCreateSealedFile(dir, 'k.json', cipher, create),
    ]);
    expect(a).toEqual(b);
  });

  test('a file copied onto another name, or sealed by another KMS key, does not open', async () => {
    const dir = fresh();
    await loadOrCreateSealedFile(dir, 'a.json', cipher, async () => ({ secret: 'a' }));
    copyFileSync(join(dir, 'a.json'), join(dir, 'b.json'));
    await expect(
      loadOrCreateSealedFile(dir, 'b.json', cipher, async () => ({ secret: 'b' })),
    ).rejects.toThrow();
    const other = createRecordCipher(staticKms([randomBytes(32)]));
    await expect(
      loadOrCreateSealedFile(dir, 'a.json', other, async () => ({ secret: 'x' })),
    ).rejects.toThrow();
    // Nothing was overwritten by the failures.
    expect(await loadOrCreateSealedFile(dir, 'a.json', cipher, async () => ({}))).toEqual({
      secret: 'a',
    });
  });
});
