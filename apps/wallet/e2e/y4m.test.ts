import jsQR from 'jsqr';
import QRCode from 'qrcode';
import { describe, expect, test } from 'vitest';
import { decodePng, y4mFrame } from './y4m.js';

describe('fake-camera frames', () => {
  test('a PNG QR code decodes to pixels that jsQR reads back', async () => {
    const text =
      'openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Fo%2F1';
    const png = await QRCode.toBuffer(text, { type: 'png', margin: 4, scale: 6 });
    const px = decodePng(png);
    expect(px.rgba.length).toBe(px.width * px.height * 4);
    expect(jsQR(new Uint8ClampedArray(px.rgba), px.width, px.height)?.data).toBe(text);
  });

  test('the Y4M frame has a YUV4MPEG2 header and 4:2:0 planes', async () => {
    const png = await QRCode.toBuffer('x', { type: 'png' });
    const frame = y4mFrame(decodePng(png), 64, 48);
    const header = 'YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C420jpeg\nFRAME\n';
    expect(new TextDecoder().decode(frame.subarray(0, header.length))).toBe(header);
    expect(frame.length).toBe(header.length + 64 * 48 * 1.5);
  });

  test('anything but a PNG is refused', () => {
    expect(() => decodePng(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow('not a PNG');
  });
});
