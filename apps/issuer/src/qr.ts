/**
 * @module qr
 * Credential offers as QR codes (DOMAIN.md §1.2 route (b): a one-time QR shown at the counter):
 * SVG and PNG for the admin console and letters, and terminal text for `npm start`. Error
 * correction M; a by-value offer of ~600 characters fits a version-14 symbol, a by-reference one
 * much less.
 */
import QRCode from 'qrcode';

/** An offer URI as an SVG document. */
export function offerQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}

/** An offer URI as a PNG image. */
export async function offerQrPng(uri: string): Promise<Uint8Array> {
  const buf = await QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M', margin: 2 });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** An offer URI as text for a terminal (half blocks, two rows per line). */
export function offerQrTerminal(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
}
