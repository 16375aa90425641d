import { useCallback } from 'react';
import { formatNumber, translate, type MessageKey, type Params } from '../../i18n';
import type { Failure } from '../../lib/errors';
import { useAppState } from '../context';
import { failureText } from '../failureText';

/** Translate with the current language. */
export function useT(): (key: MessageKey, params?: Params) => string {
  const language = useAppState((s) => s.language);
  return useCallback((key: MessageKey, params?: Params) => translate(language, key, params), [language]);
}

export function useNumber(): (value: number, decimals?: number) => string {
  const language = useAppState((s) => s.language);
  return useCallback((value: number, decimals = 1) => formatNumber(language, value, decimals), [language]);
}

/** Word a failure (ui/failureText) in the current language. */
export function useFailureText(): (f: Failure) => string {
  const language = useAppState((s) => s.language);
  return useCallback(
    (f: Failure) => failureText((key, params) => translate(language, key, params), language, f),
    [language],
  );
}
