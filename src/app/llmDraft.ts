/**
 * The report draft phrased by a language model in the browser: the findings that count (not rejected),
 * their category and management go to the language-model worker (ai/browser/llm.worker.ts) as
 * `DraftFacts` (no identifier can be expressed in them); the text streams back after every token, can be
 * cancelled, and is read by the grounding check when it is complete. The model is the app's demo model
 * (`/models/report-demo/`) or a folder the user picked on this device (checked by report/llm/pick.ts, its
 * files read here and their bytes transferred to the worker, never uploaded), with constrained decoding.
 */
import { LlmClient, type FolderFiles, type LlmModelSource } from '../ai/browser/llmClient';
import { caseCategory } from '../findings/assess';
import type { FindingRecord } from '../findings/record';
import type { Language } from '../i18n';
import { ground } from '../report/ground';
import { reportedNodule } from '../report/session';
import type { DraftFacts, FactFinding } from '../report/llm/facts';
import { checkPickedFolder } from '../report/llm/pick';
import type { LlmDraftStream, OpenFile } from '../ui/context';
import type { LlmModelActions, LlmModelView } from '../ui/report/llmModel';
import type { Host } from './host';

/** The model folder the app serves for drafts. */
export const APP_LLM_DIR = 'report-demo';

/** The longest a picked file may take to read: half a minute, and a second more for every 10 MB. */
const readLimitMs = (bytes: number): number => 30_000 + (bytes / 10e6) * 1000;

/** A file's bytes, or a rejection when it cannot be read or the read takes too long. */
function readWithin(file: Blob, path: string): Promise<Uint8Array> {
  const ms = readLimitMs(file.size);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${path} took longer than ${ms} ms to read`)), ms);
  });
  return Promise.race([file.arrayBuffer().then((b) => new Uint8Array(b)), late]).finally(() =>
    clearTimeout(timer),
  );
}

/** The bytes as an ArrayBuffer of their own (to transfer). */
const own = (b: Uint8Array): ArrayBuffer =>
  b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer
    ? b.buffer
    : b.slice().buffer;

const DEMO_VIEW: LlmModelView = {
  choice: { kind: 'demo', folder: APP_LLM_DIR },
  loaded: null,
  constrained: true,
  checking: null,
  problem: null,
};

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

export class LlmDrafting implements LlmModelActions {
  private client: LlmClient | null = null;
  private state: LlmModelView = DEMO_VIEW;
  private readonly listeners = new Set<() => void>();
  /** The folder picked (when the choice is one): where its files are read again when needed. */
  private picked: Extract<LlmModelSource, { kind: 'picked' }> | null = null;
  private picks = 0;

  constructor(private readonly host: Host) {}

  view = (): LlmModelView => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(change: Partial<LlmModelView>): void {
    this.state = { ...this.state, ...change };
    for (const l of this.listeners) l();
  }

  pickFolder = async (files: readonly OpenFile[]): Promise<void> => {
    const pick = ++this.picks;
    const byPath = new Map(files.map((f) => [f.name, f.file]));
    const first = files[0]?.name.split('/')[0] ?? '';
    this.set({ checking: first || '…', problem: null });
    const read = (path: string): Promise<Uint8Array> => {
      const file = byPath.get(path);
      return file ? readWithin(file, path) : Promise.reject(new Error(`${path} is not in the folder`));
    };
    const checked = await checkPickedFolder(
      files.map((f) => ({ path: f.name, bytes: f.file.size })),
      read,
    ).catch(() => null);
    if (pick !== this.picks) return; // a later pick replaced this one
    if (!checked || !checked.ok) {
      this.set({ checking: null, problem: checked?.error ?? { code: 'unreadable', file: first } });
      return;
    }
    const folder = checked.value;
    if (this.picked) this.client?.forget(this.picked.key);
    // The bytes read for the check go to the worker first; a new worker gets them read again.
    let ready: FolderFiles | null = new Map([...folder.files].map(([p, b]) => [p, own(b)]));
    this.picked = {
      kind: 'picked',
      key: `p${pick}`,
      name: folder.name,
      files: async () => {
        const handed = ready;
        ready = null;
        if (handed) return handed;
        const again = new Map<string, ArrayBuffer>();
        for (const path of folder.files.keys()) again.set(path, own(await read(`${folder.root}${path}`)));
        return again;
      },
    };
    this.set({
      choice: { kind: 'picked', folder: folder.name, bytes: folder.bytes, dtype: folder.dtype },
      loaded: null,
      checking: null,
      problem: null,
    });
  };

  useDemo = (): void => {
    if (this.picked) this.client?.forget(this.picked.key);
    this.picked = null;
    this.picks++;
    this.set(DEMO_VIEW);
  };

  /** Starts a draft of the current findings; null when there are none to write about. */
  start(onText: (text: string) => void): LlmDraftStream | null {
    const { findings, language } = this.host.store.getState();
    const facts = factsOf(findings, language);
    if (facts.findings.length === 0) return null;
    this.client ??= new LlmClient();
    const source: LlmModelSource = this.picked ?? { kind: 'served', dir: APP_LLM_DIR };
    const handle = this.client.draft(
      { source, facts, mode: 'scoped' },
      {
        onText,
        onModel: (info, device) => {
          if ((this.picked ?? null) === (source.kind === 'picked' ? source : null))
            this.set({ loaded: { info, device } });
        },
      },
    );
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
