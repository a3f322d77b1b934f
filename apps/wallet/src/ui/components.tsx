/**
 * @module ui/components
 * The building blocks every screen shares, written for WCAG 2.2 AA: one `<main>` with one `<h1>`
 * that takes the focus on navigation, a skip link, labelled inputs, status messages in live regions
 * (`role="status"` / `role="alert"`), large touch targets (≥ 48 px), visible focus, and text that
 * reflows at 200 % zoom.
 */
import { type ReactNode, useId, useState } from 'react';
import type { CardStatusValue } from '../wallet/cards.js';
import { useI18n } from './i18n.js';
import { navigate, useRoute } from './router.js';

/** The language switch (shows the other language's name). */
export function LangSwitch(): ReactNode {
  const { lang, setLang, t } = useI18n();
  return (
    <button
      type="button"
      className="lang"
      lang={lang === 'ko' ? 'en' : 'ko'}
      aria-label={`${t('language')}: ${t('otherLanguage')}`}
      onClick={() => setLang(lang === 'ko' ? 'en' : 'ko')}
    >
      {t('otherLanguage')}
    </button>
  );
}

/** The page frame: header, main content, and (when unlocked) the bottom navigation. */
export function Layout(props: {
  readonly title: string;
  readonly children: ReactNode;
  readonly nav?: boolean;
  readonly back?: string;
}): ReactNode {
  const { t } = useI18n();
  return (
    <>
      <a className="skip" href="#main">
        {t('skipToContent')}
      </a>
      <header className="top">
        {props.back !== undefined ? (
          <button type="button" className="back" onClick={() => navigate(props.back as string)}>
            <span aria-hidden="true">‹ </span>
            {t('back')}
          </button>
        ) : (
          <span className="brand">{t('appName')}</span>
        )}
        <LangSwitch />
      </header>
      <main id="main">
        <h1 tabIndex={-1}>{props.title}</h1>
        {props.children}
      </main>
      {props.nav === true && <BottomNav />}
    </>
  );
}

function BottomNav(): ReactNode {
  const { t } = useI18n();
  const { path } = useRoute();
  const items: [string, string, string][] = [
    ['/', t('navCards'), '▭'],
    ['/receive', t('navAdd'), '＋'],
    ['/present', t('navShow'), '⌗'],
    ['/history', t('navHistory'), '☰'],
    ['/settings', t('navSettings'), '⚙'],
  ];
  return (
    <nav className="bottom" aria-label={t('mainMenu')}>
      <ul>
        {items.map(([to, label, icon]) => {
          const active = to === '/' ? path === '/' || path.startsWith('/cards') : path === to;
          return (
            <li key={to}>
              <a
                href={to}
                aria-current={active ? 'page' : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(to);
                }}
              >
                <span aria-hidden="true" className="icon">
                  {icon}
                </span>
                <span>{label}</span>
              </a>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/** A message: `status` is polite (progress, success), `alert` interrupts (failures). */
export function Notice(props: {
  readonly kind: 'info' | 'success' | 'error' | 'warning';
  readonly children: ReactNode;
  readonly title?: string;
}): ReactNode {
  const role = props.kind === 'error' || props.kind === 'warning' ? 'alert' : 'status';
  return (
    <div className={`notice ${props.kind}`} role={role}>
      {props.title !== undefined && <p className="notice-title">{props.title}</p>}
      <div>{props.children}</div>
    </div>
  );
}

/** A busy indicator with its text (announced). */
export function Busy({ text }: { readonly text: string }): ReactNode {
  return (
    <p className="busy" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {text}
    </p>
  );
}

/** A 6-digit PIN field: numeric keyboard, masked, with an optional "show" toggle. */
export function PinField(props: {
  readonly label: string;
  readonly value: string;
  readonly onChange: (v: string) => void;
  readonly autoFocus?: boolean;
  readonly describedBy?: string;
  readonly name: string;
}): ReactNode {
  const id = useId();
  const [shown, setShown] = useState(false);
  const { t } = useI18n();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <div className="pin-row">
        <input
          id={id}
          name={props.name}
          className="pin"
          type={shown ? 'text' : 'password'}
          inputMode="numeric"
          pattern="[0-9]*"
          autoComplete="off"
          maxLength={6}
          value={props.value}
          // biome-ignore lint/a11y/noAutofocus: the only task of the lock screen is the PIN.
          autoFocus={props.autoFocus}
          aria-describedby={props.describedBy}
          onChange={(e) => props.onChange(e.target.value.replace(/[^0-9]/g, '').slice(0, 6))}
        />
        <button
          type="button"
          className="secondary small"
          aria-pressed={shown}
          onClick={() => setShown(!shown)}
        >
          {t('pinShow')}
        </button>
      </div>
    </div>
  );
}

/** The status of a card as a badge (text, not colour alone). */
export function StatusBadge({ status }: { readonly status: CardStatusValue }): ReactNode {
  const { t } = useI18n();
  const text = {
    valid: t('statusValid'),
    suspended: t('statusSuspended'),
    revoked: t('statusRevoked'),
    unknown: t('statusUnknown'),
  }[status];
  return <span className={`badge ${status}`}>{text}</span>;
}
