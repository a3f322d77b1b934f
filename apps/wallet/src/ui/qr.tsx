/**
 * @module ui/qr
 * QR codes in and out. Out: a large, black-on-white code (error correction M, quiet zone 4 — the
 * level docs/offline-qr.md recommends on a phone screen) drawn as SVG by `qrcode`, loaded only when
 * needed. In: the camera with the platform's `BarcodeDetector` where it exists and the `jsQR`
 * decoder elsewhere (also loaded on demand), a picture from the gallery, or a pasted link.
 */
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useI18n } from './i18n.js';

/** A QR code image of `text`. */
export function QrImage(props: { readonly text: string; readonly alt: string }): ReactNode {
  const [src, setSrc] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void import('qrcode').then(async (QRCode) => {
      const svg = await QRCode.toString(props.text, {
        type: 'svg',
        errorCorrectionLevel: 'M',
        margin: 4,
        color: { dark: '#000000', light: '#ffffff' },
      });
      if (live) setSrc(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
    });
    return () => {
      live = false;
    };
  }, [props.text]);
  return src === undefined ? (
    <div className="qr qr-pending" aria-hidden="true" />
  ) : (
    <img className="qr" src={src} alt={props.alt} data-qr-text-length={props.text.length} />
  );
}

interface Detector {
  detect(source: CanvasImageSource | ImageBitmap): Promise<{ rawValue: string }[]>;
}

/** The platform's QR detector, when there is one (Chrome on Android, macOS, ChromeOS). */
async function platformDetector(): Promise<Detector | undefined> {
  const BD = (globalThis as { BarcodeDetector?: unknown }).BarcodeDetector as
    | ((new (o: {
        formats: string[];
      }) => Detector) & {
        getSupportedFormats?: () => Promise<string[]>;
      })
    | undefined;
  if (BD === undefined) return undefined;
  try {
    const formats = (await BD.getSupportedFormats?.()) ?? ['qr_code'];
    return formats.includes('qr_code') ? new BD({ formats: ['qr_code'] }) : undefined;
  } catch {
    return undefined;
  }
}

/** Decode a QR code in an image (the platform detector, else jsQR). */
export async function decodeImage(
  source: HTMLVideoElement | ImageBitmap,
  canvas: HTMLCanvasElement,
  detector: Detector | undefined,
): Promise<string | undefined> {
  if (detector !== undefined) {
    try {
      const found = await detector.detect(source);
      if (found[0] !== undefined) return found[0].rawValue;
    } catch {
      // fall back to jsQR
    }
  }
  const w = source instanceof HTMLVideoElement ? source.videoWidth : source.width;
  const h = source instanceof HTMLVideoElement ? source.videoHeight : source.height;
  if (w === 0 || h === 0) return undefined;
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (ctx === null) return undefined;
  ctx.drawImage(source, 0, 0, w, h);
  const { default: jsQR } = await import('jsqr');
  const image = ctx.getImageData(0, 0, w, h);
  return jsQR(image.data, w, h, { inversionAttempts: 'attemptBoth' })?.data;
}

/**
 * Scan a QR code: camera, picture or paste. Calls `onText` with the first text found.
 */
export function Scanner(props: {
  readonly onText: (text: string) => void;
  readonly pasteLabel: string;
  readonly busy?: boolean;
}): ReactNode {
  const { t } = useI18n();
  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [camera, setCamera] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [pasted, setPasted] = useState('');
  const pasteId = useId();
  const fileId = useId();
  const onText = props.onText;

  useEffect(() => {
    if (!camera) return;
    let stream: MediaStream | undefined;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({
          video: { facingMode: 'environment' },
          audio: false,
        });
        const video = videoRef.current;
        if (video === null || stopped) return;
        video.srcObject = stream;
        await video.play();
        const detector = await platformDetector();
        const tick = async () => {
          if (stopped) return;
          const canvas = canvasRef.current;
          const text =
            canvas === null
              ? undefined
              : await decodeImage(video, canvas, detector).catch(() => undefined);
          if (text !== undefined && !stopped) {
            stopped = true;
            setCamera(false);
            onText(text);
            return;
          }
          timer = setTimeout(() => void tick(), 120);
        };
        void tick();
      } catch {
        setProblem(t('cameraUnavailable'));
        setCamera(false);
      }
    })();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [camera, onText, t]);

  const onFile = async (file: File | undefined) => {
    if (file === undefined) return;
    setProblem(undefined);
    try {
      const bitmap = await createImageBitmap(file);
      const canvas = canvasRef.current;
      const text =
        canvas === null ? undefined : await decodeImage(bitmap, canvas, await platformDetector());
      if (text === undefined) setProblem(t('noQrFound'));
      else onText(text);
    } catch {
      setProblem(t('noQrFound'));
    }
  };

  return (
    <div className="scanner">
      {camera ? (
        <div className="camera">
          <video ref={videoRef} muted playsInline aria-label={t('cameraPreview')} />
          <div className="camera-frame" aria-hidden="true" />
          <p className="hint">{t('cameraHint')}</p>
          <button type="button" className="secondary" onClick={() => setCamera(false)}>
            {t('scanStop')}
          </button>
        </div>
      ) : (
        <button
          type="button"
          className="primary"
          disabled={props.busy}
          onClick={() => {
            setProblem(undefined);
            setCamera(true);
          }}
        >
          {t('scanCamera')}
        </button>
      )}
      <canvas ref={canvasRef} hidden />
      <div className="field">
        <label htmlFor={fileId} className="file-label">
          {t('scanImage')}
        </label>
        <input
          id={fileId}
          type="file"
          accept="image/*"
          disabled={props.busy}
          onChange={(e) => void onFile(e.target.files?.[0])}
        />
      </div>
      {problem !== undefined && (
        <p className="notice error" role="alert">
          {problem}
        </p>
      )}
      <form
        className="field"
        onSubmit={(e) => {
          e.preventDefault();
          if (pasted.trim() !== '') onText(pasted.trim());
        }}
      >
        <label htmlFor={pasteId}>{props.pasteLabel}</label>
        <div className="paste-row">
          <input
            id={pasteId}
            name="link"
            type="text"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
          />
          <button type="submit" className="secondary" disabled={props.busy || pasted.trim() === ''}>
            {t('continue')}
          </button>
        </div>
      </form>
    </div>
  );
}
