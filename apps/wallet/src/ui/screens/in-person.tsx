/**
 * @module ui/screens/in-person
 * "현장 제시 (ISO 운전면허) / Show in person (ISO mDL)" (issue 7 §2, docs/in-person.md): the wallet
 * opens a session on the verifier's relay and shows the ISO/IEC 18013-5 QR device engagement
 * (`mdoc:…`) as a large code with the session's countdown (300 s) and, for accessibility, a button
 * that copies its text; it waits for the reader's request, shows what is asked and whether the
 * reader intends to keep each element — saying plainly that the reader is anonymous — and on
 * consent sends the DeviceResponse, encrypted in the session. Shown, refused and failed exchanges
 * are all written to the history. Loaded as its own chunk (CBOR, COSE and the session crypto).
 */
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import type { InPersonAsk, InPersonExchange } from '../../wallet/wallet.js';
import { failureCode } from '../../wallet/wallet.js';
import { Busy, Layout, Notice } from '../components.js';
import { Consent } from '../consent.js';
import { useI18n } from '../i18n.js';
import { QrCountdown } from '../qr-countdown.js';
import { navigate } from '../router.js';
import { useWallet } from '../wallet-context.js';

type Phase =
  | { readonly kind: 'opening' }
  | { readonly kind: 'qr'; readonly exchange: InPersonExchange }
  | { readonly kind: 'consent'; readonly ask: InPersonAsk }
  | { readonly kind: 'sending' }
  | { readonly kind: 'shown' }
  | { readonly kind: 'refused' }
  | { readonly kind: 'failed'; readonly error: unknown; readonly code: string };

/** The in-person screen. */
export function InPerson(): ReactNode {
  const { t, error } = useI18n();
  const { wallet } = useWallet();
  const [phase, setPhase] = useState<Phase>({ kind: 'opening' });
  const [copied, setCopied] = useState(false);
  // The exchange still open (closed when the screen goes away before a request arrived).
  const open = useRef<InPersonExchange | undefined>(undefined);
  const live = useRef(true);

  // The failure is kept, its message picked at render: a language switch never restarts anything.
  const fail = useCallback((e: unknown) => {
    if (live.current) setPhase({ kind: 'failed', error: e, code: failureCode(e) });
  }, []);

  const start = useCallback(async () => {
    setPhase({ kind: 'opening' });
    setCopied(false);
    let exchange: InPersonExchange;
    try {
      exchange = await wallet.inPersonOpen();
    } catch (e) {
      fail(e);
      return;
    }
    if (!live.current) {
      void wallet.inPersonClose(exchange);
      return;
    }
    open.current = exchange;
    setPhase({ kind: 'qr', exchange });
    try {
      const ask = await wallet.inPersonAwait(exchange);
      if (open.current !== exchange) return; // renewed or left meanwhile
      open.current = undefined;
      if (live.current) setPhase({ kind: 'consent', ask });
      else await wallet.inPersonRefuse(ask); // left without sharing
    } catch (e) {
      if (open.current !== exchange) return;
      open.current = undefined;
      // No request before the session ended, or a broken session: written down, then shown.
      if (!(e instanceof Error && 'code' in e && e.code === 'ERR_WALLET_NO_MATCHING_CARD'))
        await wallet.inPersonFailed(exchange, e).catch(() => undefined);
      fail(e);
    }
  }, [wallet, fail]);

  useEffect(() => {
    live.current = true;
    void start();
    return () => {
      live.current = false;
      const exchange = open.current;
      open.current = undefined;
      if (exchange !== undefined) void wallet.inPersonClose(exchange);
    };
  }, [wallet, start]);

  const renew = () => {
    const exchange = open.current;
    open.current = undefined;
    if (exchange !== undefined) void wallet.inPersonClose(exchange);
    void start();
  };

  const agree = async (ask: InPersonAsk, ticked: ReadonlySet<string>) => {
    setPhase({ kind: 'sending' });
    try {
      await wallet.inPersonAnswer(ask, ticked);
      setPhase({ kind: 'shown' });
    } catch (e) {
      fail(e);
    }
  };
  const refuse = async (ask: InPersonAsk) => {
    setPhase({ kind: 'sending' });
    await wallet.inPersonRefuse(ask).catch(() => undefined);
    setPhase({ kind: 'refused' });
  };

  const done = phase.kind === 'shown' || phase.kind === 'refused' || phase.kind === 'failed';
  return (
    <Layout title={t('inPersonTitle')} back="/" nav={done}>
      {phase.kind === 'opening' && <Busy text={t('working')} />}
      {phase.kind === 'qr' && (
        <>
          <p className="lead">{t('inPersonIntro')}</p>
          <div id="in-person-qr" data-uri-length={phase.exchange.uri.length}>
            <QrCountdown
              qr={phase.exchange.uri}
              expiresAt={phase.exchange.expiresAt}
              onRenew={renew}
            />
          </div>
          <div className="actions">
            <button
              type="button"
              className="secondary"
              onClick={async () => {
                try {
                  await navigator.clipboard.writeText(phase.exchange.uri);
                  setCopied(true);
                } catch {
                  setCopied(false);
                }
              }}
            >
              {t('inPersonCopy')}
            </button>
          </div>
          <p className="hint" role="status">
            {copied ? t('inPersonCopied') : ''}
          </p>
          <p role="status" aria-live="polite">
            {t('inPersonWaiting')}
          </p>
        </>
      )}
      {phase.kind === 'consent' && (
        <>
          <Notice kind="warning">{t('inPersonAnonymous')}</Notice>
          {phase.ask.unavailable.length > 0 && (
            <p className="hint">{t('inPersonUnavailable', { n: phase.ask.unavailable.length })}</p>
          )}
          <Consent
            model={phase.ask.model}
            onAgree={(ticked) => void agree(phase.ask, ticked)}
            onRefuse={() => void refuse(phase.ask)}
          />
        </>
      )}
      {phase.kind === 'sending' && <Busy text={t('sending')} />}
      {phase.kind === 'shown' && <Notice kind="success">{t('inPersonShown')}</Notice>}
      {phase.kind === 'refused' && <Notice kind="info">{t('inPersonRefused')}</Notice>}
      {phase.kind === 'failed' && (
        <Notice kind="error" title={t('failedTitle')}>
          <p>{error(phase.error)}</p>
          <p className="hint">
            {t('historyError')}: <code>{phase.code}</code>
          </p>
        </Notice>
      )}
      {done && (
        <div className="actions">
          <button type="button" className="primary" onClick={renew}>
            {t('qrRenew')}
          </button>
          <button type="button" className="secondary" onClick={() => navigate('/')}>
            {t('done')}
          </button>
        </div>
      )}
    </Layout>
  );
}
