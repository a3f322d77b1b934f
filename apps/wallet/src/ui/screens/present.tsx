/**
 * @module ui/screens/present
 * Showing a card (OpenID4VP 1.0): scan the relying party's QR (camera or picture), paste its link,
 * or arrive by the same-device link (`/present?client_id=…&request_uri=…`). The request is fetched
 * and verified, the consent screen asks, and the outcome — verified, refused or failed with the
 * verifier's reason — is shown and written to the history. An offline `OMR1:` request (two-way QR
 * mode) is answered with a QR code instead.
 */
import { type ReactNode, useCallback, useEffect, useRef, useState } from 'react';
import type { ConsentModel, VerifiedAsk } from '../../wallet/present.js';
import { failureCode } from '../../wallet/wallet.js';
import { Busy, Layout, Notice } from '../components.js';
import { Consent } from '../consent.js';
import { useI18n } from '../i18n.js';
import { Scanner } from '../qr.js';
import { QrCountdown } from '../qr-countdown.js';
import { navigate, useRoute } from '../router.js';
import { useWallet } from '../wallet-context.js';

type Phase =
  | { readonly kind: 'scan' }
  | { readonly kind: 'checking' }
  | { readonly kind: 'consent'; readonly model: ConsentModel }
  | { readonly kind: 'sending'; readonly model: ConsentModel }
  | { readonly kind: 'verified'; readonly ask: VerifiedAsk }
  | { readonly kind: 'refused'; readonly ask: VerifiedAsk }
  | { readonly kind: 'failed'; readonly message: string; readonly code: string }
  | { readonly kind: 'qr'; readonly qr: string; readonly expiresAt: number };

/** The present screen. */
export function Present(): ReactNode {
  const { t, error, pick } = useI18n();
  const { wallet } = useWallet();
  const route = useRoute();
  const [phase, setPhase] = useState<Phase>({ kind: 'scan' });
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const started = useRef(false);

  // bench/wallet: from a scanned or pasted request to the consent screen on display.
  useEffect(() => {
    if (phase.kind === 'consent') performance.mark('openmid:consent-shown');
  }, [phase]);

  const start = useCallback(
    async (text: string) => {
      performance.mark('openmid:request-received');
      setProblem(undefined);
      setPhase({ kind: 'checking' });
      let ask: VerifiedAsk | undefined;
      try {
        ask = await wallet.prepareAsk(text);
        setPhase({ kind: 'consent', model: await wallet.consent(ask) });
      } catch (e) {
        await wallet.recordAskFailure(ask, e).catch(() => undefined);
        setPhase({ kind: 'failed', message: error(e), code: failureCode(e) });
      }
    },
    [wallet, error],
  );

  useEffect(() => {
    if (started.current) return;
    const p = route.params;
    const link = p.get('link');
    if (p.has('client_id') && p.has('request_uri')) {
      started.current = true;
      void start(location.href);
    } else if (link !== null) {
      started.current = true;
      void start(link);
    }
  }, [route, start]);

  const agree = async (model: ConsentModel, ticked: ReadonlySet<string>) => {
    performance.mark('openmid:consent');
    setPhase({ kind: 'sending', model });
    try {
      if (model.ask.mode === 'offline-two-way') {
        const { qr, expiresAt } = await wallet.offlineTwoWay(model, ticked);
        setPhase({ kind: 'qr', qr, expiresAt });
        return;
      }
      const outcome = await wallet.answer(model, ticked, {
        onSend: () => {
          performance.mark('openmid:presentation-sent');
          performance.measure(
            'openmid:consent-to-sent',
            'openmid:consent',
            'openmid:presentation-sent',
          );
        },
      });
      if (outcome.redirectUri !== undefined) {
        location.assign(outcome.redirectUri);
        return;
      }
      setPhase({ kind: 'verified', ask: model.ask });
    } catch (e) {
      setPhase({ kind: 'failed', message: error(e), code: failureCode(e) });
    }
  };

  const refuse = async (model: ConsentModel) => {
    setPhase({ kind: 'sending', model });
    await wallet.refuse(model.ask, model).catch(() => undefined);
    setPhase({ kind: 'refused', ask: model.ask });
  };

  const otherCard = async (model: ConsentModel) => {
    try {
      const exclude = [...model.excluded, ...model.selections.map((s) => s.cardId)];
      setPhase({ kind: 'consent', model: await wallet.consent(model.ask, exclude) });
    } catch (e) {
      setProblem(error(e));
    }
  };

  return (
    <Layout
      title={t('presentTitle')}
      nav={
        phase.kind === 'scan' ||
        phase.kind === 'verified' ||
        phase.kind === 'refused' ||
        phase.kind === 'failed'
      }
    >
      {problem !== undefined && <Notice kind="error">{problem}</Notice>}
      {phase.kind === 'scan' && (
        <>
          <p className="lead">{t('presentIntro')}</p>
          <Scanner onText={(text) => void start(text)} pasteLabel={t('pasteLink')} />
        </>
      )}
      {phase.kind === 'checking' && <Busy text={t('checkingRequest')} />}
      {phase.kind === 'consent' && (
        <Consent
          key={phase.model.selections.map((s) => s.cardId).join()}
          model={phase.model}
          onAgree={(ticked) => void agree(phase.model, ticked)}
          onRefuse={() => void refuse(phase.model)}
          onOtherCard={() => void otherCard(phase.model)}
        />
      )}
      {phase.kind === 'sending' && <Busy text={t('sending')} />}
      {phase.kind === 'verified' && (
        <Notice kind="success">
          {t('verifiedResult', { party: pick(phase.ask.party.names) })}
        </Notice>
      )}
      {phase.kind === 'refused' && (
        <Notice kind="info">{t('refusedResult', { party: pick(phase.ask.party.names) })}</Notice>
      )}
      {phase.kind === 'failed' && (
        <Notice kind="error" title={t('failedTitle')}>
          <p>{phase.message}</p>
          <p className="hint">
            {t('historyError')}: <code>{phase.code}</code>
          </p>
        </Notice>
      )}
      {phase.kind === 'qr' && (
        <>
          <p className="lead">{t('showThisQr')}</p>
          <QrCountdown qr={phase.qr} expiresAt={phase.expiresAt} />
        </>
      )}
      {(phase.kind === 'verified' || phase.kind === 'refused' || phase.kind === 'failed') && (
        <div className="actions">
          <button type="button" className="primary" onClick={() => navigate('/')}>
            {t('done')}
          </button>
          <button type="button" className="secondary" onClick={() => setPhase({ kind: 'scan' })}>
            {t('showCard')}
          </button>
        </div>
      )}
    </Layout>
  );
}
