/**
 * Page side of the language-model worker: one worker, started on first use and kept (the model stays
 * loaded between drafts); a draft streams its text to `onText` and can be cancelled. A worker that dies
 * fails the drafts in flight with a clear error and is replaced on the next draft.
 *
 * A model folder the user picked is read on the page (never uploaded) and its bytes are transferred to the
 * worker once per worker: the worker keeps them until its model is loaded, so a new worker (after one
 * died) is sent them again, read afresh by `files()`.
 */
import { LucentError } from '../../lib/errors';
import type { DraftFacts } from '../../report/llm/facts';
import type { DecodeMode, LlmDraft, LlmModelInfo } from '../../report/llm/types';
import type { LlmEvent, LlmRequest } from './llmProtocol';

/** A picked folder's files, by path inside it. */
export type FolderFiles = ReadonlyMap<string, ArrayBuffer>;

/** Where the model comes from: a folder the app serves, or one the user picked on this device. */
export type LlmModelSource =
  | { readonly kind: 'served'; readonly dir: string }
  | {
      readonly kind: 'picked';
      /** Names this pick (letters, digits, `-`): another pick of the same folder is another key. */
      readonly key: string;
      /** The folder's own name. */
      readonly name: string;
      /** Its files' bytes (read again each time they are needed: the buffers are transferred). */
      files(): Promise<FolderFiles>;
    };

export interface LlmDraftRequest {
  readonly source: LlmModelSource;
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
  /** The picked folder the current worker holds (or held, and loaded its model from). */
  private sentKey: string | null = null;

  draft(request: LlmDraftRequest, handlers: LlmDraftHandlers = {}): LlmDraftHandle {
    const id = this.next++;
    const result = new Promise<LlmOutcome>((resolve, reject) => {
      this.pending.set(id, { handlers, resolve, reject });
    });
    const { source } = request;
    const message: LlmRequest = {
      type: 'draft',
      id,
      source: source.kind === 'served' ? source : { kind: 'picked', key: source.key, name: source.name },
      facts: request.facts,
      mode: request.mode,
      allowWebGpu: request.allowWebGpu ?? true,
      ...(request.maxNewTokens ? { maxNewTokens: request.maxNewTokens } : {}),
    };
    let cancelled = false;
    const send = async (): Promise<void> => {
      if (source.kind === 'picked' && this.sentKey !== source.key) {
        const files = await source.files();
        if (cancelled) return this.stoppedBeforeStart(id, request.mode);
        const list = [...files].map(([path, bytes]) => ({ path, bytes }));
        const worker = this.ensure();
        const folder: LlmRequest = { type: 'folder', key: source.key, name: source.name, files: list };
        worker.postMessage(
          folder,
          list.map((f) => f.bytes),
        );
        this.sentKey = source.key;
      }
      this.ensure().postMessage(message);
    };
    send().catch((e: unknown) => this.fail(id, e));
    return {
      result,
      cancel: () => {
        cancelled = true;
        this.worker?.postMessage({ type: 'cancel', id } satisfies LlmRequest);
      },
    };
  }

  /** The worker may drop a picked folder's bytes and model. */
  forget(key: string): void {
    if (this.sentKey !== key) return;
    this.sentKey = null;
    this.worker?.postMessage({ type: 'forget', key } satisfies LlmRequest);
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    this.sentKey = null;
    this.failAll('The language model was closed.', 'closed');
  }

  /** A draft stopped while its folder was being read: nothing written. */
  private stoppedBeforeStart(id: number, mode: DecodeMode): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    p?.resolve({
      draft: {
        text: '',
        raw: '',
        mode,
        tokens: 0,
        prefillMs: 0,
        decodeMs: 0,
        stopped: 'cancelled',
        unknownPlaceholders: [],
        deadEnds: 0,
      },
      ms: 0,
    });
  }

  private fail(id: number, e: unknown): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.reject(e instanceof Error ? e : new LucentError('llm-folder', String(e)));
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./llm.worker.ts', import.meta.url), { type: 'module', name: 'lucent-llm' });
    w.onmessage = (ev: MessageEvent<LlmEvent>) => this.onEvent(ev.data);
    w.onerror = (ev) => {
      ev.preventDefault();
      w.terminate();
      if (this.worker === w) {
        this.worker = null;
        this.sentKey = null;
      }
      this.failAll(
        `The language-model worker stopped${ev.message ? ` (${ev.message})` : ''}. The draft was not changed; you can run it again.`,
        'stopped',
      );
    };
    this.worker = w;
    return w;
  }

  private failAll(message: string, kind: 'closed' | 'stopped'): void {
    for (const p of this.pending.values()) p.reject(new LucentError('llm-worker', message, { kind }));
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
        p.reject(new LucentError(e.code, e.message, { ...e.detail }));
    }
  }
}
