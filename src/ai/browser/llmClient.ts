/**
 * Page side of the language-model worker: one worker, started on first use and kept (the model stays
 * loaded between drafts); a draft streams its text to `onText` and can be cancelled. A worker that dies
 * fails the drafts in flight with a clear error and is replaced on the next draft.
 */
import { LucentError } from '../../lib/errors';
import type { DraftFacts } from '../../report/llm/facts';
import type { DecodeMode, LlmDraft, LlmModelInfo } from '../../report/llm/types';
import type { LlmEvent, LlmRequest } from './llmProtocol';

export interface LlmDraftRequest {
  /** The model folder's name under /models/ (the app's demo model: `report-demo`). */
  readonly modelDir: string;
  readonly facts: DraftFacts;
  readonly mode: DecodeMode;
  readonly maxNewTokens?: number;
  readonly allowWebGpu?: boolean;
}

export interface LlmDraftHandlers {
  /** The model is checked and loaded: what it is and where it runs. */
  onModel?(info: LlmModelInfo, device: 'wasm' | 'webgpu'): void;
  /** The text so far, after every token. */
  onText?(text: string): void;
}

export interface LlmOutcome {
  readonly draft: LlmDraft;
  /** From the request to the last token, loading included (ms). */
  readonly ms: number;
}

export interface LlmDraftHandle {
  readonly result: Promise<LlmOutcome>;
  /** Stop generating: `result` resolves with the text so far and `stopped: 'cancelled'`. */
  cancel(): void;
}

interface Pending {
  readonly handlers: LlmDraftHandlers;
  resolve(o: LlmOutcome): void;
  reject(e: Error): void;
}

export class LlmClient {
  private worker: Worker | null = null;
  private next = 1;
  private readonly pending = new Map<number, Pending>();

  draft(request: LlmDraftRequest, handlers: LlmDraftHandlers = {}): LlmDraftHandle {
    const id = this.next++;
    const result = new Promise<LlmOutcome>((resolve, reject) => {
      this.pending.set(id, { handlers, resolve, reject });
    });
    const message: LlmRequest = {
      type: 'draft',
      id,
      modelDir: request.modelDir,
      facts: request.facts,
      mode: request.mode,
      allowWebGpu: request.allowWebGpu ?? true,
      ...(request.maxNewTokens ? { maxNewTokens: request.maxNewTokens } : {}),
    };
    this.ensure().postMessage(message);
    return { result, cancel: () => this.worker?.postMessage({ type: 'cancel', id } satisfies LlmRequest) };
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    this.failAll('The language model was closed.');
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./llm.worker.ts', import.meta.url), { type: 'module', name: 'lucent-llm' });
    w.onmessage = (ev: MessageEvent<LlmEvent>) => this.onEvent(ev.data);
    w.onerror = (ev) => {
      ev.preventDefault();
      w.terminate();
      if (this.worker === w) this.worker = null;
      this.failAll(
        `The language-model worker stopped${ev.message ? ` (${ev.message})` : ''}. The draft was not changed; you can run it again.`,
      );
    };
    this.worker = w;
    return w;
  }

  private failAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new LucentError('llm-worker', message));
    this.pending.clear();
  }

  private onEvent(e: LlmEvent): void {
    const p = this.pending.get(e.id);
    if (!p) return;
    switch (e.type) {
      case 'loading':
        return;
      case 'model':
        p.handlers.onModel?.(e.info, e.device);
        return;
      case 'text':
        p.handlers.onText?.(e.text);
        return;
      case 'done':
        this.pending.delete(e.id);
        p.resolve({ draft: e.draft, ms: e.ms });
        return;
      case 'error':
        this.pending.delete(e.id);
        p.reject(new LucentError(e.code, e.message));
    }
  }
}
