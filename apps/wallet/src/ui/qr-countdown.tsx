/**
 * @module ui/qr-countdown
 * A presentation QR code, large and high-contrast, with the seconds it stays valid (one-way mode:
 * the 60-second window of docs/offline-qr.md; two-way: the request's lifetime) announced politely.
 */
import { type ReactNode, useEffect, useState } from 'react';
import { useI18n } from './i18n.js';
import { QrImage } from './qr.js';

/** The QR with its countdown; `onRenew` is offered when it has expired. */
export function QrCountdown(props: {
  readonly qr: string;
  readonly expiresAt: number;
  readonly onRenew?: () => void;
}): ReactNode {
  const { t } = useI18n();
  const [now, setNow] = useState(() => Date.now() / 1000);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => clearInterval(id);
  }, []);
  const left = Math.max(0, Math.ceil(props.expiresAt - now));
  return (
    <div className="qr-box">
      {left > 0 ? (
        <>
          <QrImage text={props.qr} alt={t('qrAlt', { n: props.qr.length })} />
          <p className="countdown" aria-live="off">
            {t('countdown', { s: left })}
          </p>
          <p className="hint">{t('brightness')}</p>
        </>
      ) : (
        <>
          <p className="notice warning" role="alert">
            {t('qrExpired')}
          </p>
          {props.onRenew !== undefined && (
            <button type="button" className="primary" onClick={props.onRenew}>
              {t('qrRenew')}
            </button>
          )}
        </>
      )}
    </div>
  );
}
