/**
 * Failures outside the AI run in the reader's language: load errors, DICOMweb, the device's storage, the
 * report's export, the language model, practice and the viewer. Each arrives as a lib/errors `Failure`:
 * a code, its detail (numbers and short technical strings, never patient data) and the English message
 * the CLI prints. Pure: no React, so it is tested without a DOM.
 */
import { isMessageKey, type Language } from '../i18n';
import type { Failure } from '../lib/errors';
import { pacsInstanceOf } from '../lib/sourceNames';
import type { StorageProblem } from '../store/persist';
import type { Translate } from './aiText';

/**
 * A file's name as the reader sees it: instances retrieved from a PACS have none of their own (a
 * language-neutral key, lib/sourceNames), so they are worded here; any other name is shown as it is.
 */
export function fileLabel(t: Translate, name: string): string {
  const pacs = pacsInstanceOf(name);
  return pacs ? t('errors.pacsInstance', { n: pacs.n, total: pacs.total }) : name;
}

/**
 * A failure as one sentence: the catalogue's `problem.<code>.<kind>` when the detail names a kind the
 * catalogue has (its English is the error's message); otherwise the English message itself in English,
 * and in other languages the code's generic `problem.<code>`, or `problem.unknown` with the code. A
 * detail `cause` words the failure as that code instead (a decode failure listed as `decode-failed`
 * whose reason is Lucent's own refusal).
 */
export function failureText(t: Translate, language: Language, f: Failure): string {
  const cause = f.detail['cause'];
  const code = typeof cause === 'string' ? cause : f.code;
  const kind = f.detail['kind'];
  const specific = kind === undefined ? null : `problem.${code}.${String(kind)}`;
  if (specific !== null && isMessageKey(specific)) return t(specific, f.detail);
  if (language === 'en' && f.message.trim() !== '') return f.message;
  const generic = `problem.${code}`;
  return isMessageKey(generic) ? t(generic, f.detail) : t('problem.unknown', { code });
}

/**
 * The banner for what could not be kept on this device: the code's sentence, then why in brackets where
 * it can be said in the reader's language (`storage.reason.<kind>`), or in English the browser's own
 * words.
 */
export function storageProblemText(t: Translate, language: Language, p: StorageProblem): string {
  const kind = p.detail['kind'];
  const key = kind === undefined ? null : `storage.reason.${String(kind)}`;
  const reason =
    key !== null && isMessageKey(key)
      ? t(key, p.detail)
      : language === 'en' && p.message.trim() !== ''
        ? p.message
        : null;
  const text = t(`storage.problem.${p.code}`);
  return reason === null ? text : `${text}${t('storage.reason', { reason })}`;
}
