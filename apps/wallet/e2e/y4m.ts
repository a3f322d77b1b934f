/**
 * @module e2e/y4m
 * Feeding a QR code to the wallet through Chromium's fake camera: a screenshot (PNG, as Chromium
 * writes it: 8-bit RGB or RGBA, not interlaced) is decoded and written as a one-frame Y4M video
 * (YUV4MPEG2, 4:2:0), which `--use-file-for-fake-video-capture` plays in a loop. The wallet then
 * finds the code in the camera frames (BarcodeDetector or jsQR) exactly as on a phone.
 */
import { inflateSync } from 'node:zlib';

/** Decoded pixels. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes per pixel. */
  readonly rgba: Uint8Array;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decode an 8-bit, non-interlaced RGB or RGBA PNG (PNG spec §4.1, §9 filters). */
export function decodePng(png: Uint8Array): Pixels {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (!sig.every((b, i) => png[i] === b)) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Uint8Array[] = [];
  while (pos < png.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...png.subarray(pos + 4, pos + 8));
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      const depth = data[8];
      const colour = data[9];
      if (depth !== 8 || data[12] !== 0 || (colour !== 2 && colour !== 6))
        throw new Error('only 8-bit non-interlaced RGB/RGBA PNGs');
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  const prev = new Uint8Array(stride);
  const line = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? (line[i - channels] as number) : 0;
      const b = prev[i] as number;
      const c = i >= channels ? (prev[i - channels] as number) : 0;
      const x = src[i] as number;
      line[i] =
        (filter === 0
          ? x
          : filter === 1
            ? x + a
            : filter === 2
              ? x + b
              : filter === 3
                ? x + ((a + b) >> 1)
                : x + paeth(a, b, c)) & 0xff;
    }
    for (let px = 0; px < width; px++) {
      const o = (y * width + px) * 4;
      out[o] = line[px * channels] as number;
      out[o + 1] = line[px * channels + 1] as number;
      out[o + 2] = line[px * channels + 2] as number;
      out[o + 3] = channels === 4 ? (line[px * channels + 3] as number) : 255;
    }
    prev.set(line);
  }
  return { width, height, rgba: out };
}

/**
 * A one-frame Y4M of `image` centred on a white `width`×`height` frame (nearest-neighbour scaled
 * to fill most of the height, as a phone held up to a screen would see it).
 */
export function y4mFrame(image: Pixels, width = 640, height = 480): Uint8Array {
  const y = new Uint8Array(width * height).fill(255);
  const scale = Math.min((height * 0.8) / image.height, (width * 0.8) / image.width);
  const w = Math.floor(image.width * scale);
  const h = Math.floor(image.height * scale);
  const x0 = Math.floor((width - w) / 2);
  const y0 = Math.floor((height - h) / 2);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const sx = Math.min(image.width - 1, Math.floor(i / scale));
      const sy = Math.min(image.height - 1, Math.floor(j / scale));
      const o = (sy * image.width + sx) * 4;
      const luma =
        0.299 * (image.rgba[o] as number) +
        0.587 * (image.rgba[o + 1] as number) +
        0.114 * (image.rgba[o + 2] as number);
      y[(y0 + j) * width + x0 + i] = Math.round(luma);
    }
  }
  const chroma = new Uint8Array((width / 2) * (height / 2) * 2).fill(128);
  const header = new TextEncoder().encode(
    `YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\nFRAME\n`,
  );
  const out = new Uint8Array(header.length + y.length + chroma.length);
  out.set(header, 0);
  out.set(y, header.length);
  out.set(chroma, header.length + y.length);
  return out;
}
