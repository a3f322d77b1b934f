/**
 * @module ui/consent
 * The consent screen (SECURITY.md "Presentation"; ADR 005 §2): who asks (the name it is REGISTERED
 * under, not what it calls itself), why, the registry that vouched, what it asks for — each claim
 * with its label and (masked) value, required or optional — a warning listing anything beyond its
 * registration (unticked by default), and a separate question for the portrait and for the
 * resident registration number (unticked by default). Nothing leaves the phone until "Agree".
 * An answer from the licence's ISO mdoc form says so, and shows whether the party intends to keep
 * each element (`intent_to_retain`); an in-person reader is shown as what it is: anonymous.
 */
import { type ReactNode, useMemo, useState } from 'react';
import type { ConsentItem, ConsentModel } from '../wallet/present.js';
import { defaultTicked, disclosures } from '../wallet/present.js';
import { displayValue, typeOf } from '../wallet/profile.js';
import { Notice } from './components.js';
import { useI18n } from './i18n.js';

/** The consent form. */
export function Consent(props: {
  readonly model: ConsentModel;
  readonly onAgree: (ticked: ReadonlySet<string>) => void;
  readonly onRefuse: (ticked: ReadonlySet<string>) => void;
  readonly onOtherCard?: () => void;
  readonly busy?: boolean;
}): ReactNode {
  const { t, lang, pick } = useI18n();
  const { model } = props;
  const [ticked, setTicked] = useState<Set<string>>(() => defaultTicked(model));
  const party = model.ask.party;
  const exceeding = model.items.filter((i) => i.exceeds !== undefined);
  const ordinary = model.items.filter((i) => !i.separate);
  const separate = model.items.filter((i) => i.separate);
  const complete = useMemo(() => {
    try {
      disclosures(model, ticked);
      return true;
    } catch {
      return false;
    }
  }, [model, ticked]);
  const asksRrn = model.items.some((i) => i.sensitivity === 'rrn');

  const toggle = (key: string, on: boolean) => {
    const next = new Set(ticked);
    if (on) next.add(key);
    else next.delete(key);
    setTicked(next);
  };
  const vctOf = (i: ConsentItem) => model.selections[i.selection]?.vct ?? '';
  const cardOf = (i: ConsentItem) => {
    const vct = vctOf(i);
    return typeOf(vct)?.labels[lang] ?? vct;
  };
  const exceedsText = (i: ConsentItem) =>
    i.exceeds === 'no-legal-basis' ? t('exceedsNoBasis') : t('exceedsClaim');

  const row = (i: ConsentItem, label: string) => {
    const value = displayValue(vctOf(i), i.name, i.value);
    const id = `c-${i.key.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
    return (
      <li key={i.key} className={i.exceeds !== undefined ? 'exceeds' : undefined}>
        <input
          id={id}
          type="checkbox"
          checked={ticked.has(i.key)}
          disabled={
            props.busy === true ||
            i.withheld !== undefined ||
            (i.required && !i.separate && i.exceeds === undefined)
          }
          onChange={(e) => toggle(i.key, e.target.checked)}
        />
        <label htmlFor={id}>
          <span className="claim-label">{label}</span>
          {value !== '' && <span className="claim-value">{value}</span>}
          <span className="claim-tags">
            {i.withheld !== undefined && (
              <span className="tag warn">
                <span aria-hidden="true">⛔ </span>
                {t('withheldNoBasis')}
              </span>
            )}
            {i.exceeds !== undefined && i.withheld === undefined && (
              <span className="tag warn">
                <span aria-hidden="true">⚠ </span>
                {exceedsText(i)}
              </span>
            )}
            {i.retain !== undefined && (
              <span className="tag">{i.retain ? t('inPersonRetain') : t('inPersonNoRetain')}</span>
            )}
            <span className="tag">{i.required ? t('required') : t('optional')}</span>
          </span>
        </label>
      </li>
    );
  };

  return (
    <form
      className="stack consent"
      onSubmit={(e) => {
        e.preventDefault();
        props.onAgree(ticked);
      }}
    >
      <section className="party" aria-labelledby="party-h">
        <h2 id="party-h" className="party-label">
          {t('whoAsks')}
        </h2>
        <p className="party-name">{pick(party.names)}</p>
        {model.ask.mode === 'in-person' && <p className="hint">{t('inPersonAnonymous')}</p>}
        <p>
          <strong>{t('purpose')}:</strong> {pick(party.purpose)}
        </p>
        {party.registry?.names !== undefined && (
          <p className="verified">
            <span aria-hidden="true">✔ </span>
            {t('registryCheck', { registry: pick(party.registry.names) })}
          </p>
        )}
        {asksRrn && party.rrnLegalBasis !== null && (
          <p className="hint">{t('legalBasis', { basis: party.rrnLegalBasis })}</p>
        )}
      </section>

      {exceeding.length > 0 && (
        <Notice kind="warning" title={t('exceedsTitle')}>
          <p>{t('exceedsBody', { party: pick(party.names) })}</p>
          <ul>
            {exceeding.map((i) => (
              <li key={i.key}>
                {pick(i.labels)} — {exceedsText(i)}
              </li>
            ))}
          </ul>
        </Notice>
      )}

      <section aria-labelledby="shared-h">
        <h2 id="shared-h">{t('whatShared')}</h2>
        {model.selections.map((s) => (
          <p key={s.queryId} className="hint">
            {t('usingCard', { card: typeOf(s.vct)?.labels[lang] ?? s.vct })}
            {s.format === 'mso_mdoc' && ` · ${t('isoMdlForm')}`}
          </p>
        ))}
        {model.hasAlternative && props.onOtherCard !== undefined && (
          <button type="button" className="secondary small" onClick={props.onOtherCard}>
            {t('useOtherCard')}
          </button>
        )}
        <ul className="claims">{ordinary.map((i) => row(i, pick(i.labels)))}</ul>
      </section>

      {separate.length > 0 && (
        <section aria-labelledby="separate-h" className="separate">
          <h2 id="separate-h">{t('separateTitle')}</h2>
          <p className="hint">{t('separateHint')}</p>
          <ul className="claims">
            {separate.map((i) =>
              row(
                i,
                `${i.sensitivity === 'biometric' ? t('separatePortrait') : t('separateRrn')} (${cardOf(i)})`,
              ),
            )}
          </ul>
        </section>
      )}

      {!complete && <Notice kind="warning">{t('incomplete')}</Notice>}
      <div className="actions">
        <button type="submit" className="primary" disabled={!complete || props.busy === true}>
          {t('agreeAndShare')}
        </button>
        <button
          type="button"
          className="secondary"
          disabled={props.busy === true}
          onClick={() => props.onRefuse(ticked)}
        >
          {t('refuse')}
        </button>
      </div>
    </form>
  );
}
