/**
 * @module ui/id-card
 * A card as the citizen sees it, drawn from its type metadata (the Korean profile's SD-JWT VC Type
 * Metadata: name and colours per locale; claim labels) with the Korean card layout: title, photo
 * placeholder, name, masked resident and licence numbers, and — for the visual check at a counter
 * (DOMAIN.md §1.3) — an animated Taegeuk emblem and a live clock with seconds (Korea time), so a
 * screenshot or a recording is visibly not the live wallet.
 *
 * The motion is essential to that check (WCAG 2.2.2 exempts essential animation); with
 * `prefers-reduced-motion` the emblem turns slowly instead of quickly, and the clock still ticks.
 */
import { type ReactNode, useEffect, useState } from 'react';
import type { CardView } from '../wallet/cards.js';
import { displayValue, typeOf } from '../wallet/profile.js';
import { StatusBadge } from './components.js';
import { useI18n } from './i18n.js';

/** The Taegeuk of the national flag, turning. */
export function Emblem({ label, size = 56 }: { readonly label: string; readonly size?: number }) {
  return (
    <svg
      className="emblem emblem-spin"
      width={size}
      height={size}
      viewBox="-1.15 -1.15 2.3 2.3"
      role="img"
      aria-label={label}
    >
      <circle r="1.1" fill="#ffffff" />
      <circle r="1" fill="#0047a0" />
      <path d="M -1 0 A 1 1 0 0 1 1 0 A 0.5 0.5 0 0 1 0 0 A 0.5 0.5 0 0 0 -1 0 Z" fill="#cd2e3a" />
    </svg>
  );
}

/** HH:MM:SS in Korea time, ticking every second. */
export function LiveClock({ label }: { readonly label: string }): ReactNode {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  const text = new Date(now).toLocaleTimeString('en-GB', {
    timeZone: 'Asia/Seoul',
    hour12: false,
  });
  return (
    <time className="clock" dateTime={new Date(now).toISOString()}>
      <span className="sr-only">{label} </span>
      {text}
    </time>
  );
}

/** The card's name in the current language (profile type metadata first, issuer metadata next). */
export function cardName(
  card: Pick<CardView, 'vct' | 'display' | 'type'>,
  lang: 'ko' | 'en',
): string {
  const type = typeOf(card.vct);
  if (type !== undefined) return type.labels[lang];
  return card.display.names[lang] ?? card.display.names.ko ?? card.type;
}

function colours(card: CardView): { background: string; text: string } {
  const simple = typeOf(card.vct)?.typeMetadata.display?.[0]?.rendering?.simple;
  return {
    background: simple?.background_color ?? card.display.backgroundColor ?? '#0b3d91',
    text: simple?.text_color ?? card.display.textColor ?? '#ffffff',
  };
}

/** The claims shown on the front, by type (the rest are in the details). */
const FRONT: Readonly<Record<string, readonly string[]>> = {
  'resident-id': ['name', 'rrn', 'address'],
  'driving-licence': ['name', 'licence_number', 'licence_classes', 'rrn'],
  disability: ['name', 'disability_types', 'disability_severity'],
  'public-servant': ['name', 'organisation', 'department', 'grade'],
  'employee-id': ['name', 'employer', 'department', 'position'],
};

/** The front of a card. */
export function IdCard(props: {
  readonly card: CardView;
  /** Show the emblem and the clock (the full-size card). */
  readonly live?: boolean;
  readonly headingLevel?: 2 | 3;
  /** Make the whole card a link (the title is the link; the card is its click area). */
  readonly onOpen?: () => void;
  readonly href?: string;
}): ReactNode {
  const { lang, t, formatDate } = useI18n();
  const { card } = props;
  const type = typeOf(card.vct);
  const c = colours(card);
  const front = (FRONT[type?.name ?? ''] ?? ['name']).filter((n) => card.claims[n] !== undefined);
  const Heading = props.headingLevel === 3 ? 'h3' : 'h2';
  return (
    <article
      className={`idcard${props.live === true ? ' live' : ''}`}
      style={{ backgroundColor: c.background, color: c.text }}
    >
      <div className="idcard-head">
        <Heading className="idcard-title">
          {props.href === undefined ? (
            cardName(card, lang)
          ) : (
            <a
              className="card-link"
              href={props.href}
              onClick={(e) => {
                e.preventDefault();
                props.onOpen?.();
              }}
            >
              {cardName(card, lang)}
            </a>
          )}
        </Heading>
        <StatusBadge status={card.status.value} />
      </div>
      <div className="idcard-body">
        <div className="photo" role="img" aria-label={t('photoPlaceholder')}>
          <svg viewBox="0 0 60 72" aria-hidden="true" focusable="false">
            <rect width="60" height="72" fill="#e8eef7" />
            <circle cx="30" cy="26" r="13" fill="#9aa8bd" />
            <path d="M6 72c2-16 12-24 24-24s22 8 24 24z" fill="#9aa8bd" />
          </svg>
        </div>
        <dl className="idcard-fields">
          {front.map((name) => {
            const def = type?.claims.find((x) => x.name === name);
            return (
              <div key={name}>
                <dt>{def?.labels[lang] ?? name}</dt>
                <dd>{displayValue(card.vct, name, card.claims[name])}</dd>
              </div>
            );
          })}
        </dl>
      </div>
      <div className="idcard-foot">
        {props.live === true && <Emblem label={t('emblemLabel')} />}
        <div className="idcard-meta">
          <span>{card.issuer.names[lang]}</span>
          {card.expiresAt !== undefined && (
            <span>{t('validUntil', { date: formatDate(card.expiresAt) })}</span>
          )}
        </div>
        {props.live === true && <LiveClock label={t('clockLabel')} />}
      </div>
    </article>
  );
}
