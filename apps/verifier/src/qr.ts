/**
 * @module qr
 * QR codes of the verifier: the cross-device request link a relying party shows (SVG or PNG, error
 * correction M; a `openid4vp://?client_id=…&request_uri=…` link of ~170 characters is a version
 * 8–9 symbol), terminal text for the demo, and the measured version of an offline payload
 * (`docs/offline-qr.md`).
 */
import QRCode from 'qrcode';

/** Error correction level of a QR code. */
export type QrLevel = 'L' | 'M' | 'Q' | 'H';

/** Text as an SVG document. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** Text as a PNG image. */
export async function qrPng(text: string): Promise<Uint8Array> {
  const buf = await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 2 });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Text for a terminal (half blocks, two rows per line). */
export function qrTerminal(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
}

/** The smallest QR version (1–40) that holds `text` at `level`, with the encoder's own segmenting. */
export function qrVersion(text: string, level: QrLevel = 'M'): number {
  return QRCode.create(text, { errorCorrectionLevel: level }).version;
}
