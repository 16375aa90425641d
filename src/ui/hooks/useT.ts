import { useCallback } from 'react';
import { formatNumber, translate, type MessageKey, type Params } from '../../i18n';
import { useAppState } from '../context';

/** Translate with the current language. */
export function useT(): (key: MessageKey, params?: Params) => string {
  const language = useAppState((s) => s.language);
  return useCallback((key: MessageKey, params?: Params) => translate(language, key, params), [language]);
}

export function useNumber(): (value: number, decimals?: number) => string {
  const language = useAppState((s) => s.language);
  return useCallback((value: number, decimals = 1) => formatNumber(language, value, decimals), [language]);
}
