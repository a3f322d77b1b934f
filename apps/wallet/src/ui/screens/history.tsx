/**
 * @module ui/screens/history
 * The citizen's history: every issuance and presentation, refused and failed ones included, with
 * the party, the claims (names, never values), the time and the outcome; exportable as a JSON file.
 */
import { type ReactNode, useEffect, useState } from 'react';
import type { HistoryEntry } from '../../wallet/history.js';
import { claimInfo, typeOf } from '../../wallet/profile.js';
import { Busy, Layout, Notice } from '../components.js';
import { useI18n } from '../i18n.js';
import { useWallet } from '../wallet-context.js';

/** The history screen. */
export function History(): ReactNode {
  const { t, lang, pick, formatTime, error } = useI18n();
  const { wallet } = useWallet();
  const [entries, setEntries] = useState<HistoryEntry[] | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);

  useEffect(() => {
    void wallet
      .history()
      .then(setEntries)
      .catch((e: unknown) => setProblem(error(e)));
  }, [wallet, error]);

  const kind = {
    issuance: t('historyIssuance'),
    presentation: t('historyPresentation'),
    'offline-presentation': t('historyOffline'),
    'in-person': t('historyInPerson'),
    status: t('historyStatus'),
  };
  const outcome = {
    accepted: t('outcomeAccepted'),
    verified: t('outcomeVerified'),
    shown: t('outcomeShown'),
    refused: t('outcomeRefused'),
    failed: t('outcomeFailed'),
    suspended: t('outcomeSuspended'),
    revoked: t('outcomeRevoked'),
  };
  const party = (e: HistoryEntry) =>
    e.party.names !== undefined
      ? pick(e.party.names)
      : e.party.id === 'offline'
        ? t('offlineParty')
        : t('unknownParty');
  const vct = (e: HistoryEntry) => (e.card === undefined ? '' : (typeOf(e.card.type)?.vct ?? ''));
  const claim = (e: HistoryEntry, p: string) =>
    vct(e) === '' ? p : pick(claimInfo(vct(e), p.split('.')).labels);

  const download = async () => {
    const text = await wallet.exportHistory();
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `openmid-history-${new Date().toISOString().slice(0, 10)}.json`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  return (
    <Layout title={t('historyTitle')} nav>
      {problem !== undefined && <Notice kind="error">{problem}</Notice>}
      {entries === undefined ? (
        <Busy text={t('loading')} />
      ) : entries.length === 0 ? (
        <p>{t('historyEmpty')}</p>
      ) : (
        <ol className="history">
          {entries.map((e) => (
            <li key={e.id} className={`h-${e.outcome}`}>
              <p className="h-head">
                <span className="h-kind">{kind[e.kind]}</span>
                <span className={`tag outcome-${e.outcome}`}>{outcome[e.outcome]}</span>
              </p>
              <p className="h-party">{party(e)}</p>
              <p className="hint">
                <time dateTime={new Date(e.at * 1000).toISOString()}>{formatTime(e.at)}</time>
                {e.card !== undefined && ` · ${typeOf(e.card.type)?.labels[lang] ?? e.card.type}`}
              </p>
              {e.claims.length > 0 && (
                <p>
                  {t('historyClaims')}: {e.claims.map((c) => claim(e, c)).join(', ')}
                </p>
              )}
              {e.exceeded !== undefined && e.exceeded.length > 0 && (
                <p className="warn-text">
                  <span aria-hidden="true">⚠ </span>
                  {t('historyExceeded')}: {e.exceeded.map((c) => claim(e, c)).join(', ')}
                </p>
              )}
              {e.errorCode !== undefined && (
                <p className="hint">
                  {t('historyError')}: <code>{e.errorCode}</code>
                </p>
              )}
            </li>
          ))}
        </ol>
      )}
      <button type="button" className="secondary" onClick={() => void download()}>
        {t('historyExport')}
      </button>
    </Layout>
  );
}
