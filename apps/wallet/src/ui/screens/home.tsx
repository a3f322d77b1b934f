/**
 * @module ui/screens/home
 * "My cards": every card, front side live (emblem and clock), newest first; statuses are refreshed
 * from the issuers' status lists in the background when online.
 */
import { type ReactNode, useEffect, useState } from 'react';
import type { CardView } from '../../wallet/cards.js';
import { Busy, Layout, Notice } from '../components.js';
import { useI18n } from '../i18n.js';
import { IdCard } from '../id-card.js';
import { navigate } from '../router.js';
import { useWallet } from '../wallet-context.js';

/** The home screen. */
export function Home(): ReactNode {
  const { t, error } = useI18n();
  const { wallet } = useWallet();
  const [cards, setCards] = useState<CardView[] | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const list = await wallet.cards();
        if (live) setCards(list);
        if (list.length > 0 && navigator.onLine) {
          await wallet.refreshStatus().catch(() => undefined);
          const fresh = await wallet.cards();
          if (live) setCards(fresh);
        }
      } catch (e) {
        if (live) setProblem(error(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [wallet, error]);

  return (
    <Layout title={t('cardsTitle')} nav>
      {problem !== undefined && <Notice kind="error">{problem}</Notice>}
      {cards === undefined ? (
        <Busy text={t('loading')} />
      ) : cards.length === 0 ? (
        <p className="lead">{t('noCards')}</p>
      ) : (
        <>
          <p className="hint">{t('visualCheck')}</p>
          <ul className="cards">
            {cards.map((card) => (
              <li key={card.id}>
                <IdCard
                  card={card}
                  live
                  href={`/cards/${encodeURIComponent(card.id)}`}
                  onOpen={() => navigate(`/cards/${encodeURIComponent(card.id)}`)}
                />
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={() => navigate('/present')}>
          {t('showCard')}
        </button>
        <button type="button" className="secondary" onClick={() => navigate('/receive')}>
          {t('addCard')}
        </button>
      </div>
    </Layout>
  );
}
