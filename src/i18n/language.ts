/** The languages of Lucent's interface and clinical text: the one definition every folder uses. */
export type Language = 'en' | 'zh-CN';
export const LANGUAGES: readonly Language[] = ['en', 'zh-CN'];

export function isLanguage(value: unknown): value is Language {
  return value === 'en' || value === 'zh-CN';
}
