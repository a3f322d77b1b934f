/**
 * @module ui/screens/offline
 * Offline presentation by QR code (docs/offline-qr.md), both modes:
 * - one-way: the citizen picks a card and what to show; the wallet draws an `OMP1:` code bound to
 *   the current 60-second window (audience `offline`), with the countdown;
 * - two-way: the citizen scans the checker's `OMR1:` request first; the request is verified against
 *   the trust list and answered through the usual consent screen (the present screen).
 */

import type { ClaimPath } from '@openmid/verifier';
import { type ReactNode, useEffect, useId, useState } from 'react';
import type { CardView } from '../../wallet/cards.js';
import { Busy, Layout, Notice } from '../components.js';
import { useI18n } from '../i18n.js';
import { cardName } from '../id-card.js';
import { Scanner } from '../qr.js';
import { QrCountdown } from '../qr-countdown.js';
import { navigate, useRoute } from '../router.js';
import { useWallet } from '../wallet-context.js';

type What = 'age' | 'identity' | 'licence';

const PATHS: Readonly<Record<What, readonly ClaimPath[]>> = {
  age: [['age_over_19']],
  identity: [['name'], ['birth_date']],
  licence: [['licence_classes'], ['aptitude_test_period']],
};

function choices(card: CardView | undefined): What[] {
  if (card === undefined) return [];
  return (Object.keys(PATHS) as What[]).filter((w) =>
    PATHS[w].every((p) => card.claims[String(p[0])] !== undefined),
  );
}

/** The offline screen. */
export function Offline(): ReactNode {
  const { t, lang, error } = useI18n();
  const { wallet } = useWallet();
  const route = useRoute();
  const [mode, setMode] = useState<'one-way' | 'two-way'>('one-way');
  const [cards, setCards] = useState<CardView[] | undefined>(undefined);
  const [cardId, setCardId] = useState<string | undefined>(route.params.get('card') ?? undefined);
  const [what, setWhat] = useState<What>('age');
  const [qr, setQr] = useState<{ qr: string; expiresAt: number } | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const cardSel = useId();
  const whatSel = useId();

  useEffect(() => {
    void wallet.cards().then((list) => {
      // The offline QR carries an SD-JWT VC: a card held as an ISO mdoc only cannot make one.
      const usable = list.filter((c) => c.status.value !== 'revoked' && c.copies.length > 0);
      setCards(usable);
      setCardId((id) => (id !== undefined && usable.some((c) => c.id === id) ? id : usable[0]?.id));
    });
  }, [wallet]);

  const card = cards?.find((c) => c.id === cardId);
  const available = choices(card);
  const chosen: What | undefined = available.includes(what) ? what : available[0];

  const make = async () => {
    if (card === undefined || chosen === undefined) return;
    setBusy(true);
    setProblem(undefined);
    try {
      setQr(await wallet.offlineOneWay(card.id, PATHS[chosen]));
    } catch (e) {
      setProblem(error(e));
    }
    setBusy(false);
  };

  const label: Record<What, string> = {
    age: t('offlineAge'),
    identity: t('offlineIdentity'),
    licence: t('offlineLicence'),
  };

  return (
    <Layout
      title={t('offlineTitle')}
      back={cardId === undefined ? '/' : `/cards/${encodeURIComponent(cardId)}`}
      nav={qr === undefined}
    >
      <p className="lead">{t('offlineIntro')}</p>
      <fieldset className="segmented">
        <legend className="sr-only">{t('offlineTitle')}</legend>
        <button
          type="button"
          aria-pressed={mode === 'one-way'}
          onClick={() => {
            setMode('one-way');
            setQr(undefined);
          }}
        >
          {t('offlineOneWay')}
        </button>
        <button
          type="button"
          aria-pressed={mode === 'two-way'}
          onClick={() => {
            setMode('two-way');
            setQr(undefined);
          }}
        >
          {t('offlineTwoWay')}
        </button>
      </fieldset>
      {problem !== undefined && <Notice kind="error">{problem}</Notice>}
      {mode === 'two-way' && (
        <Scanner
          onText={(text) => navigate(`/present?link=${encodeURIComponent(text)}`)}
          pasteLabel={t('pasteLink')}
        />
      )}
      {mode === 'one-way' && cards === undefined && <Busy text={t('loading')} />}
      {mode === 'one-way' && cards !== undefined && cards.length === 0 && <p>{t('noCards')}</p>}
      {mode === 'one-way' && cards !== undefined && cards.length > 0 && qr === undefined && (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void make();
          }}
        >
          <div className="field">
            <label htmlFor={cardSel}>{t('offlineChooseCard')}</label>
            <select id={cardSel} value={cardId} onChange={(e) => setCardId(e.target.value)}>
              {cards.map((c) => (
                <option key={c.id} value={c.id}>
                  {cardName(c, lang)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={whatSel}>{t('offlineChooseWhat')}</label>
            <select id={whatSel} value={chosen} onChange={(e) => setWhat(e.target.value as What)}>
              {available.map((w) => (
                <option key={w} value={w}>
                  {label[w]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="primary" disabled={busy || chosen === undefined}>
            {t('offlineMake')}
          </button>
        </form>
      )}
      {mode === 'one-way' && qr !== undefined && (
        <QrCountdown qr={qr.qr} expiresAt={qr.expiresAt} onRenew={() => void make()} />
      )}
    </Layout>
  );
}
