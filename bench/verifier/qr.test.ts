/**
 * The offline QR size target of issue 4 §3: an `age_over_19`-only presentation fits a QR code of
 * version ≤ 25 (measured with the `qrcode` encoder; docs/offline-qr.md has the table).
 */
import { describe, expect, test } from 'vitest';
import { measureQr } from './qr.js';

describe('offline QR size (age_over_19 only)', () => {
  test('the resident card fits version 25 at level M in both modes, every credential at level L', async () => {
    const rows = await measureQr();
    const ours = rows.filter((r) => r.encoding === 'OpenMID OMP1');
    for (const r of ours.filter((x) => x.credential === 'resident-id'))
      expect(r.versionM).toBeLessThanOrEqual(25);
    for (const r of ours) expect(r.versionL).toBeLessThanOrEqual(25);
    // The container beats both the raw text and DEFLATE + Base45 of the text.
    for (const r of ours)
      for (const other of rows.filter(
        (x) => x.credential === r.credential && x.mode === r.mode && x !== r,
      ))
        expect(r.characters).toBeLessThan(other.characters);
  });
});
