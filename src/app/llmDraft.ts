/**
 * The report draft phrased by a language model in the browser: the findings that count (not rejected),
 * their category and management go to the language-model worker (ai/browser/llm.worker.ts) as
 * `DraftFacts` (no identifier can be expressed in them); the text streams back after every token, can be
 * cancelled, and is read by the grounding check when it is complete. The model is the app's demo model
 * (`/models/report-demo/`), with constrained decoding.
 */
import { LlmClient } from '../ai/browser/llmClient';
import { caseCategory } from '../findings/assess';
import type { FindingRecord } from '../findings/record';
import type { Language } from '../i18n';
import { ground } from '../report/ground';
import { reportedNodule } from '../report/session';
import type { DraftFacts, FactFinding } from '../report/llm/facts';
import type { LlmDraftStream } from '../ui/context';
import type { Host } from './host';

/** The model folder the app serves for drafts. */
export const APP_LLM_DIR = 'report-demo';

/** The facts of the findings that count, for a prompt. */
export function factsOf(findings: readonly FindingRecord[], language: Language): DraftFacts {
  const counted: FactFinding[] = findings
    .filter((f) => f.status !== 'rejected')
    .map((f) => ({
      ...reportedNodule(f),
      ...(f.location ? { location: f.location } : {}),
      ...(f.margin ? { margin: f.margin } : {}),
    }));
  return { language, findings: counted, overall: caseCategory(counted, language) };
}

export class LlmDrafting {
  private client: LlmClient | null = null;

  constructor(private readonly host: Host) {}

  /** Starts a draft of the current findings; null when there are none to write about. */
  start(onText: (text: string) => void): LlmDraftStream | null {
    const { findings, language } = this.host.store.getState();
    const facts = factsOf(findings, language);
    if (facts.findings.length === 0) return null;
    this.client ??= new LlmClient();
    const handle = this.client.draft({ modelDir: APP_LLM_DIR, facts, mode: 'scoped' }, { onText });
    const done = handle.result.then(({ draft, ms }) => {
      const g = ground(draft.text, facts.findings, language, { caseCategory: facts.overall.category });
      return {
        text: draft.text,
        stopped: draft.stopped,
        tokens: draft.tokens,
        ms,
        grounded: g.sentences.filter((s) => s.grounded).length,
        sentences: g.sentences.length,
      };
    });
    return { done, cancel: () => handle.cancel() };
  }

  dispose(): void {
    this.client?.dispose();
    this.client = null;
  }
}
