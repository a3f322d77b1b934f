/**
 * @module ui/screens/card
 * One card: the live front, every claim with its label (numbers masked until the citizen asks),
 * issuer, validity, status with a refresh from the issuer's status list, the offline QR, delete.
 * A licence also held as an ISO mDL says so and offers "show in person (ISO mDL)".
 */
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import type { CardView } from '../../wallet/cards.js';
import { displayValue, typeOf } from '../../wallet/profile.js';
import { Busy, Layout, Notice, StatusBadge } from '../components.js';
import { useI18n } from '../i18n.js';
import { cardName, IdCard } from '../id-card.js';
import { navigate } from '../router.js';
import { useWallet } from '../wallet-context.js';

const HIDDEN = new Set(['portrait', 'cnf', 'status', 'iss', 'vct', 'iat', 'exp', 'nbf', '_sd_alg']);

/** The card screen. */
export function CardScreen({ id }: { readonly id: string }): ReactNode {
  const { t, lang, error, formatDate, formatTime } = useI18n();
  const { wallet } = useWallet();
  const [card, setCard] = useState<CardView | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [reveal, setReveal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);

  const load = useCallback(async () => {
    try {
      setCard(await wallet.card(id));
    } catch (e) {
      setProblem(error(e));
    }
  }, [wallet, id, error]);
  useEffect(() => {
    void load();
  }, [load]);

  if (card === undefined)
    return (
      <Layout title={t('cardDetails')} back="/" nav>
        {problem !== undefined ? (
          <Notice kind="error">{problem}</Notice>
        ) : (
          <Busy text={t('loading')} />
        )}
      </Layout>
    );

  const type = typeOf(card.vct);
  // In the profile's order (the card's own layout), anything unknown after.
  const order = (k: string) => {
    const i = type?.claims.findIndex((c) => c.name === k) ?? -1;
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const claims = Object.entries(card.claims)
    .filter(([k]) => !HIDDEN.has(k))
    .sort(([a], [b]) => order(a) - order(b));
  const portrait = card.claims['portrait'];
  return (
    <Layout title={cardName(card, lang)} back="/" nav>
      <IdCard card={card} live />
      <p className="hint">{t('visualCheck')}</p>
      {card.status.value === 'suspended' && (
        <Notice kind="warning">{t('cardSuspendedNote')}</Notice>
      )}
      {card.status.value === 'revoked' && <Notice kind="error">{t('cardRevokedNote')}</Notice>}
      {problem !== undefined && <Notice kind="error">{problem}</Notice>}
      <section aria-labelledby="details-h">
        <h2 id="details-h">{t('cardDetails')}</h2>
        <dl className="details">
          {typeof portrait === 'string' &&
            /^data:image\/(png|jpeg|webp);base64,/.test(portrait) && (
              <div>
                <dt>{t('portrait')}</dt>
                <dd>
                  <img className="portrait" src={portrait} alt={t('portrait')} />
                </dd>
              </div>
            )}
          {claims.map(([name, value]) => {
            const def = type?.claims.find((c) => c.name === name);
            const text = displayValue(card.vct, name, value, { reveal });
            if (text === '') return null;
            return (
              <div key={name}>
                <dt>{def?.labels[lang] ?? name}</dt>
                <dd>{text}</dd>
              </div>
            );
          })}
          <div>
            <dt>{t('issuer')}</dt>
            <dd>{card.issuer.names[lang]}</dd>
          </div>
          {card.issuedAt !== undefined && (
            <div>
              <dt>{t('issuedAt')}</dt>
              <dd>{formatDate(card.issuedAt)}</dd>
            </div>
          )}
          {card.expiresAt !== undefined && (
            <div>
              <dt>{t('expiresAt')}</dt>
              <dd>{formatDate(card.expiresAt)}</dd>
            </div>
          )}
          <div>
            <dt>{t('statusLabel')}</dt>
            <dd>
              <StatusBadge status={card.status.value} />
              {card.status.checkedAt !== undefined && (
                <span className="hint">
                  {' '}
                  {t('checkedAt')}: {formatTime(card.status.checkedAt)}
                </span>
              )}
            </dd>
          </div>
          {card.copies.length > 0 && (
            <div>
              <dt>{t('copies', { n: card.copies.length })}</dt>
              <dd>{card.copies.length}</dd>
            </div>
          )}
          {card.mdoc !== undefined && (
            <div>
              <dt>{t('alsoIsoMdl')}</dt>
              <dd>{t('mdocCopies', { n: card.mdoc.copies.length })}</dd>
            </div>
          )}
        </dl>
      </section>
      <div className="actions">
        <button
          type="button"
          className="secondary"
          aria-pressed={reveal}
          onClick={() => setReveal(!reveal)}
        >
          {reveal ? t('hideNumbers') : t('revealNumbers')}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            setProblem(undefined);
            try {
              await wallet.refreshStatus(card.id);
              await load();
            } catch (e) {
              setProblem(error(e));
            }
            setBusy(false);
          }}
        >
          {t('refreshStatus')}
        </button>
        {card.copies.length > 0 && (
          <button
            type="button"
            className="primary"
            onClick={() => navigate(`/offline?card=${encodeURIComponent(card.id)}`)}
          >
            {t('showOffline')}
          </button>
        )}
        {card.mdoc !== undefined && card.mdoc.copies.length > 0 && (
          <button
            type="button"
            className="secondary"
            id="show-in-person"
            onClick={() => navigate('/in-person')}
          >
            {t('inPersonOpen')}
          </button>
        )}
        {confirmDelete ? (
          <div className="confirm" role="alert">
            <p>{t('deleteConfirm')}</p>
            <button
              type="button"
              className="danger"
              onClick={async () => {
                await wallet.deleteCard(card.id);
                navigate('/', { replace: true });
              }}
            >
              {t('deleteYes')}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirmDelete(false)}>
              {t('cancel')}
            </button>
          </div>
        ) : (
          <button type="button" className="danger-outline" onClick={() => setConfirmDelete(true)}>
            {t('deleteCard')}
          </button>
        )}
      </div>
    </Layout>
  );
}
