/**
 * The AI run's status in the reader's language: progress, the result, and why a run failed or did not run.
 * The run stores codes and their detail (lib/errors Problem), never English sentences; they are worded
 * here from the catalogue. Pure: no React, so it is tested without a DOM.
 */
import { isMessageKey, type MessageKey, type Params } from '../i18n';
import type { Problem } from '../lib/errors';
import type { AiState } from '../store';

export type Translate = (key: MessageKey, params?: Params) => string;

/** What a problem is about: a series the model does not apply to, a failed run, fewer threads. */
export type ProblemFamily = 'ai.skip' | 'ai.problem' | 'ai.note';

/** Detail values that are codes themselves, and the catalogue prefix that words them. */
const CODED_DETAIL: Readonly<Record<string, string>> = {
  tensor: 'ai.tensor',
  axis: 'ai.axis',
  reason: 'errors.code',
};

function params(t: Translate, detail: Problem['detail']): Params {
  const out: Record<string, string | number> = { ...detail };
  for (const [name, prefix] of Object.entries(CODED_DETAIL)) {
    const value = detail[name];
    const key = `${prefix}.${String(value)}`;
    if (value !== undefined && isMessageKey(key)) out[name] = t(key, detail);
  }
  return out;
}

/**
 * A problem as one sentence: the catalogue's `family.code.kind` when the detail names a `kind` the catalogue
 * has, else `family.code`; a code the catalogue does not know gets the family's generic sentence with the
 * code, never an English message. `more` other problems of the same kind are counted after it.
 */
export function problemText(t: Translate, family: ProblemFamily, p: Problem): string {
  const kind = p.detail['kind'];
  const candidates = [kind === undefined ? null : `${family}.${p.code}.${kind}`, `${family}.${p.code}`];
  const key = candidates.find((k): k is MessageKey => k !== null && isMessageKey(k));
  if (!key) return t(`${family}.unknown`, { code: p.code });
  const text = t(key, params(t, p.detail));
  const more = p.detail['more'];
  return typeof more === 'number' && more > 0 ? `${text} ${t('ai.problem.more', { more })}` : text;
}

function providerText(ai: AiState, t: Translate): string {
  if (!ai.provider) return '';
  const provider = t(`ai.provider.${ai.provider}`, { threads: ai.threads ?? 1 });
  return ai.note ? t('ai.providerNote', { provider, note: problemText(t, 'ai.note', ai.note) }) : provider;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

/** One line for the status bar and the findings panel; null while no run has started. */
export function aiStatusText(ai: AiState, t: Translate): string | null {
  switch (ai.status) {
    case 'idle':
      return null;
    case 'preparing':
      return t('ai.preparing', { done: ai.done, total: ai.total });
    case 'loading-model':
      return ai.total > 0
        ? t('ai.loading-model-bytes', { loaded: mb(ai.done), total: mb(ai.total) })
        : t('ai.loading-model');
    case 'starting-runtime':
      return t('ai.starting-runtime');
    case 'running': {
      const elapsed = (Date.now() - ai.startedAt) / 1000;
      const eta =
        ai.done > 0 && ai.total > ai.done ? Math.round((elapsed / ai.done) * (ai.total - ai.done)) : null;
      return `${t('ai.running', { done: ai.done, total: ai.total, provider: providerText(ai, t) })}${eta !== null ? ` ${t('ai.eta', { seconds: eta })}` : ''}`;
    }
    case 'done':
      if (ai.classification) {
        return t('ai.doneClassification', {
          label: ai.classification.label,
          percent: Math.round(ai.classification.probability * 1000) / 10,
          model: ai.model?.id ?? '',
          version: ai.model?.version ?? '',
          provider: providerText(ai, t),
          seconds: ai.seconds ?? 0,
        });
      }
      return t('ai.done', {
        count: ai.found ?? 0,
        model: ai.model?.id ?? '',
        version: ai.model?.version ?? '',
        provider: providerText(ai, t),
        seconds: ai.seconds ?? 0,
      });
    case 'error':
      return t('ai.error', {
        message: problemText(t, 'ai.problem', ai.problem ?? { code: 'failed', detail: {} }),
      });
    case 'cancelled':
      return t('ai.cancelled');
    case 'not-applicable':
      return t('ai.notApplicable', {
        message: problemText(t, 'ai.skip', ai.problem ?? { code: 'no-model', detail: {} }),
      });
  }
}
