/**
 * @module ui/screens/receive
 * Receiving a card (OpenID4VCI 1.0): scan the offer QR (camera or picture), paste the link, or
 * arrive by the same-page route (`/receive?offer=…`); the issuer is checked against the trust list
 * and shown with the card BEFORE anything is accepted; then the tx_code, then the card.
 */
import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import type { CardView } from '../../wallet/cards.js';
import type { OfferSession } from '../../wallet/wallet.js';
import { Busy, Layout, Notice } from '../components.js';
import { useI18n } from '../i18n.js';
import { cardName, IdCard } from '../id-card.js';
import { Scanner } from '../qr.js';
import { navigate, useRoute } from '../router.js';
import { useWallet } from '../wallet-context.js';

type Phase =
  | { readonly kind: 'scan' }
  | { readonly kind: 'checking' }
  | { readonly kind: 'offer'; readonly session: OfferSession }
  | { readonly kind: 'receiving'; readonly session: OfferSession }
  | { readonly kind: 'done'; readonly card: CardView }
  | { readonly kind: 'declined' };

/** The receive screen. */
export function Receive(): ReactNode {
  const { t, lang, error, pick } = useI18n();
  const { wallet } = useWallet();
  const route = useRoute();
  const [phase, setPhase] = useState<Phase>({ kind: 'scan' });
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [tx, setTx] = useState('');
  const txId = useId();
  const started = useRef(false);

  const start = useCallback(
    async (text: string) => {
      setProblem(undefined);
      setPhase({ kind: 'checking' });
      try {
        setPhase({ kind: 'offer', session: await wallet.prepareOffer(text) });
      } catch (e) {
        await wallet.recordOfferEnd(undefined, 'failed', e).catch(() => undefined);
        setProblem(error(e));
        setPhase({ kind: 'scan' });
      }
    },
    [wallet, error],
  );

  useEffect(() => {
    const p = route.params;
    if (started.current) return;
    if (p.has('offer') || p.has('credential_offer') || p.has('credential_offer_uri')) {
      started.current = true;
      void start(location.href);
    }
  }, [route, start]);

  const accept = async (session: OfferSession) => {
    setProblem(undefined);
    setPhase({ kind: 'receiving', session });
    try {
      const card = await wallet.acceptOffer(session, {
        ...(session.offer.txCode === undefined ? {} : { txCode: tx }),
      });
      setPhase({ kind: 'done', card });
    } catch (e) {
      setProblem(error(e));
      setTx('');
      setPhase({ kind: 'offer', session });
    }
  };

  return (
    <Layout title={t('receiveTitle')} nav={phase.kind === 'scan' || phase.kind === 'done'}>
      {problem !== undefined && <Notice kind="error">{problem}</Notice>}
      {phase.kind === 'scan' && (
        <>
          <p className="lead">{t('receiveIntro')}</p>
          <Scanner onText={(text) => void start(text)} pasteLabel={t('pasteLink')} />
        </>
      )}
      {phase.kind === 'checking' && <Busy text={t('checkingIssuer')} />}
      {(phase.kind === 'offer' || phase.kind === 'receiving') && (
        <section aria-labelledby="offer-h">
          <h2 id="offer-h">{t('offerTitle')}</h2>
          <div className="party">
            <p className="party-name">{pick(phase.session.issuer.trustedNames)}</p>
            <p className="verified">
              <span aria-hidden="true">✔ </span>
              {t('issuerVerified')}
            </p>
            <ul className="offered">
              {phase.session.issuer.configurations.map((c) => (
                <li key={c.id}>
                  {cardName(
                    {
                      vct: c.vct,
                      display: {
                        names: {
                          ...(c.display.ko ? { ko: c.display.ko.name } : {}),
                          ...(c.display.en ? { en: c.display.en.name } : {}),
                        },
                      },
                      type: c.id,
                    },
                    lang,
                  )}
                </li>
              ))}
            </ul>
          </div>
          {phase.kind === 'receiving' ? (
            <Busy text={t('receiving')} />
          ) : (
            <form
              className="stack"
              onSubmit={(e) => {
                e.preventDefault();
                void accept(phase.session);
              }}
            >
              {phase.session.offer.txCode !== undefined && (
                <div className="field">
                  <label htmlFor={txId}>
                    {phase.session.offer.txCode.length === undefined
                      ? t('txCodeLabelAny')
                      : t('txCodeLabel', { n: phase.session.offer.txCode.length })}
                  </label>
                  <input
                    id={txId}
                    name="tx_code"
                    className="pin"
                    inputMode={
                      phase.session.offer.txCode.inputMode === 'numeric' ? 'numeric' : 'text'
                    }
                    autoComplete="one-time-code"
                    maxLength={phase.session.offer.txCode.length ?? 32}
                    value={tx}
                    onChange={(e) => setTx(e.target.value.trim())}
                  />
                </div>
              )}
              <button type="submit" className="primary">
                {t('receive')}
              </button>
              <button
                type="button"
                className="secondary"
                onClick={async () => {
                  await wallet.recordOfferEnd(phase.session, 'refused').catch(() => undefined);
                  setPhase({ kind: 'declined' });
                }}
              >
                {t('decline')}
              </button>
            </form>
          )}
        </section>
      )}
      {phase.kind === 'done' && (
        <>
          <Notice kind="success">{t('received')}</Notice>
          <IdCard card={phase.card} live />
          <button type="button" className="primary" onClick={() => navigate('/')}>
            {t('done')}
          </button>
        </>
      )}
      {phase.kind === 'declined' && (
        <>
          <Notice kind="info">{t('declined')}</Notice>
          <button type="button" className="primary" onClick={() => navigate('/')}>
            {t('done')}
          </button>
        </>
      )}
    </Layout>
  );
}
