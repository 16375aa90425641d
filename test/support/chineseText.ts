/**
 * Checks that a text shown to a reader is Chinese through and through: shared by the tests that render
 * errors and reasons in zh-CN (ai-problem-text, problem-text).
 */
import { expect } from 'vitest';
import { translate, type Language } from '../../src/i18n';

/** A `t` bound to one language, as the UI's components receive it. */
export const translator =
  (language: Language) =>
  (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]): string =>
    translate(language, key, params);

/** Words of three or more Latin letters, less those the text must carry as they are (ids, names, formats). */
export const latinWords = (text: string, allowed: readonly string[]): string[] =>
  (text.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !allowed.some((a) => a.includes(w)));

/** Rendered in Chinese: every parameter filled, Chinese text, no English words beyond the allowed ones. */
export function expectChinese(text: string, allowed: readonly string[] = []): void {
  expect(text).not.toMatch(/\{\w+\}/);
  expect(text).toMatch(/[\u4e00-\u9fff]/);
  expect(latinWords(text, allowed), text).toEqual([]);
}
