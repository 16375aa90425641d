/**
 * i18n: English and Simplified Chinese catalogues and a formatter. Pure; imports nothing but its
 * catalogues, so the UI, the report and the CLI can all use it.
 */
import { en, type MessageKey, type Messages } from './en';
import { zhCN } from './zh-CN';

import type { Language } from './language';
export { LANGUAGES, isLanguage, type Language } from './language';
export type { MessageKey };

const catalogues: Record<Language, Messages> = { en, 'zh-CN': zhCN };

export type Params = Readonly<Record<string, string | number>>;

export function translate(language: Language, key: MessageKey, params: Params = {}): string {
  const template = catalogues[language][key] ?? en[key];
  // {n|one|other}: the word for a count (English needs it; Chinese does not inflect).
  const counted = template.replace(
    /\{(\w+)\|([^|}]*)\|([^}]*)\}/g,
    (_, name: string, one: string, other: string) => (params[name] === 1 ? one : other),
  );
  return counted.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    return v === undefined ? `{${name}}` : String(v);
  });
}

/** Whether the catalogue has this key: for keys built from a code (`ai.problem.${code}`), before translating. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** Best match for the browser's preferred languages. */
export function preferredLanguage(candidates: readonly string[]): Language {
  for (const c of candidates) {
    if (c.toLowerCase().startsWith('zh')) return 'zh-CN';
    if (c.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

/** Numbers with a fixed number of decimals, in the language's convention. */
export function formatNumber(language: Language, value: number, decimals = 1): string {
  return new Intl.NumberFormat(language, {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    useGrouping: false,
  }).format(value);
}
