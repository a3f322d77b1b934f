/**
 * @module ui/i18n
 * Korean first, English switchable: the strings are the Korean profile's (profiles/kr/src/ui).
 * The choice is a display preference kept in `localStorage` (it must be known before the vault is
 * unlocked; it says nothing about the citizen), and `<html lang>` follows it for screen readers.
 */
import {
  formatString,
  WALLET_ERROR_MESSAGES,
  WALLET_STRINGS,
  type WalletStringKey,
} from '@openmid/profile-kr/ui';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { errorCodeOf, isWalletError } from '../wallet/errors.js';

/** The two languages. */
export type Lang = 'ko' | 'en';

const KEY = 'openmid-wallet-lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === 'ko' || saved === 'en') return saved;
  } catch {
    // storage unavailable: Korean
  }
  return 'ko';
}

/** What screens use. */
export interface I18n {
  readonly lang: Lang;
  setLang(lang: Lang): void;
  t(key: WalletStringKey, values?: Readonly<Record<string, string | number>>): string;
  /** A sentence for a failure, by its stable code (and the server's sub-code when there is one). */
  error(e: unknown): string;
  /** Pick the text of a `{ ko, en }` pair. */
  pick(text: { readonly ko: string; readonly en: string } | undefined): string;
  formatDate(seconds: number): string;
  formatTime(seconds: number): string;
}

const Context = createContext<I18n | undefined>(undefined);

/** The message for error `e` in `lang`. */
export function errorMessage(e: unknown, lang: Lang): string {
  const table = WALLET_ERROR_MESSAGES[lang];
  const code = errorCodeOf(e);
  const details = isWalletError(e) ? e.details : undefined;
  const sub =
    typeof details?.['code'] === 'string'
      ? details['code']
      : typeof details?.['error'] === 'string'
        ? details['error']
        : undefined;
  const tries = [
    sub === undefined ? undefined : `${code}:${sub}`,
    sub?.startsWith('ERR_') === true ? sub : undefined,
    code,
  ];
  for (const k of tries) if (k !== undefined && Object.hasOwn(table, k)) return table[k] as string;
  return table['default'] as string;
}

/** Provide the language to the app. */
export function I18nProvider({ children }: { readonly children: ReactNode }): ReactNode {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    document.documentElement.lang = l;
    try {
      localStorage.setItem(KEY, l);
    } catch {
      // not persisted
    }
  }, []);
  const value = useMemo<I18n>(() => {
    document.documentElement.lang = lang;
    const locale = lang === 'ko' ? 'ko-KR' : 'en-GB';
    const zone = { timeZone: 'Asia/Seoul' } as const;
    return {
      lang,
      setLang,
      t: (key, values) => {
        const text = WALLET_STRINGS[lang][key];
        return values === undefined ? text : formatString(text, values);
      },
      error: (e) => errorMessage(e, lang),
      pick: (text) => (text === undefined ? '' : text[lang]),
      formatDate: (s) =>
        new Date(s * 1000).toLocaleDateString(locale, {
          ...zone,
          year: 'numeric',
          month: 'long',
          day: 'numeric',
        }),
      formatTime: (s) =>
        new Date(s * 1000).toLocaleString(locale, {
          ...zone,
          year: 'numeric',
          month: 'short',
          day: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
        }),
    };
  }, [lang, setLang]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

/** The current language and strings. */
export function useI18n(): I18n {
  const v = useContext(Context);
  if (v === undefined) throw new Error('useI18n outside I18nProvider');
  return v;
}
