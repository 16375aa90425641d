/**
 * A language model from a transformers.js folder, run by transformers.js: the same code in the browser's
 * worker (onnxruntime-web) and in the CLI (onnxruntime-node). Greedy decoding with a key/value cache,
 * streaming every token, cancellable, with the constrained decoder (constraint.ts) as a logits processor
 * or the placeholders filled afterwards.
 *
 * The host hands in the transformers.js module (configured: remote loading off, its runtime chosen), so
 * this file never decides where a file or the runtime comes from.
 */
import type * as TF from '@huggingface/transformers';
import { messageOf } from '../../lib/errors';
import { ValueConstraint } from './constraint';
import type { DraftFacts } from './facts';
import { fillPlaceholders } from './placeholders';
import { buildMessages, plainPrompt } from './prompt';
import { LlmError, type DraftRequest, type LlmDraft, type LlmModelInfo } from './types';
import { allowedValues } from './values';

export type Transformers = typeof TF;

export interface LocalLoadOptions {
  /** What transformers.js loads: a folder path (Node) or a name under `env.localModelPath` (browser). */
  readonly modelId: string;
  /** transformers.js' device: `cpu` in Node, `auto` when the host supplies its own execution providers. */
  readonly device: 'cpu' | 'wasm' | 'webgpu' | 'auto';
  readonly executionProviders?: readonly string[];
}

/** The longest draft: four findings in Chinese take about 330 tokens of the demo model. */
export const MAX_NEW_TOKENS = 700;

export class LocalModel {
  private texts: string[] | null = null;

  private constructor(
    private readonly tf: Transformers,
    private readonly tokenizer: TF.PreTrainedTokenizer,
    private readonly model: TF.PreTrainedModel,
    readonly info: LlmModelInfo,
  ) {}

  static async load(tf: Transformers, info: LlmModelInfo, options: LocalLoadOptions): Promise<LocalModel> {
    try {
      const tokenizer = await tf.AutoTokenizer.from_pretrained(options.modelId);
      const model = await tf.AutoModelForCausalLM.from_pretrained(options.modelId, {
        device: options.device,
        ...(options.executionProviders
          ? { session_options: { executionProviders: [...options.executionProviders] } }
          : {}),
      });
      return new LocalModel(tf, tokenizer, model, info);
    } catch (e) {
      if (e instanceof LlmError) throw e;
      throw new LlmError(
        'llm-load',
        `The language model "${info.name}" could not be loaded: ${messageOf(e)}`,
      );
    }
  }

  /** Every token's text as it reads inside a text: decoded after an anchor token, so leading spaces stay. */
  private tokenTexts(): string[] {
    if (this.texts) return this.texts;
    const tok = this.tokenizer;
    const anchorIds = tok.encode('a', { add_special_tokens: false });
    const anchor = anchorIds[anchorIds.length - 1] ?? 0;
    const base = tok.decode([anchor]);
    const size = Number((this.model.config as unknown as { vocab_size?: number }).vocab_size ?? 0);
    const special = new Set(tok.all_special_ids);
    const texts: string[] = [];
    for (let id = 0; id < size; id++) {
      if (special.has(id)) {
        texts.push('');
        continue;
      }
      const t = tok.decode([anchor, id]);
      texts.push(t.startsWith(base) ? t.slice(base.length) : t);
    }
    this.texts = texts;
    return texts;
  }

  private endIds(): Set<number> {
    const ids = new Set<number>(this.tokenizer.all_special_ids);
    const eos = (this.model.generation_config as unknown as { eos_token_id?: number | number[] } | null)
      ?.eos_token_id;
    for (const e of Array.isArray(eos) ? eos : eos === undefined ? [] : [eos]) ids.add(e);
    return ids;
  }

  /** Writes the draft for the facts, streaming the text; resolves when done or cancelled. */
  async draft(facts: DraftFacts, request: DraftRequest): Promise<LlmDraft> {
    const { tf, tokenizer } = this;
    const placeholders = request.mode === 'placeholders';
    // A placeholder the model writes unasked ("{F1.mean} mm": the demo model was trained on both kinds of
    // answer) is filled from the facts in every mode that promises the facts' values; only a free draft
    // shows what the model wrote.
    const fill = request.mode !== 'free';
    const messages = buildMessages(facts, placeholders);
    const templated = Boolean(tokenizer.chat_template);
    const prompt = templated
      ? tokenizer.apply_chat_template<false, false, false>(
          messages.map((m) => ({ role: m.role, content: m.content })),
          { tokenize: false, add_generation_prompt: true },
        )
      : plainPrompt(messages);
    const inputs = tokenizer(prompt, { add_special_tokens: !templated });

    const constraint =
      request.mode === 'values' || request.mode === 'scoped'
        ? new ValueConstraint(this.tokenTexts(), this.endIds(), allowedValues(facts), {
            scoped: request.mode === 'scoped',
          })
        : null;
    const generated: number[] = [];
    const decode = (): string =>
      generated.length === 0 ? '' : tokenizer.decode(generated, { skip_special_tokens: true });
    const shown = (raw: string): string =>
      (fill ? fillPlaceholders(raw, facts).text : raw).replace(/\uFFFD+$/, '');

    class Constrain extends tf.LogitsProcessor {
      override _call(_ids: bigint[][], logits: TF.Tensor): TF.Tensor {
        if (!constraint) return logits;
        const data = logits.data as Float32Array;
        for (const id of constraint.banned(decode())) data[id] = -Infinity;
        return logits;
      }
    }
    const t0 = performance.now();
    let first = 0;
    let prompted = false;
    class Stream extends tf.BaseStreamer {
      override put(value: bigint[][]): void {
        if (!prompted) {
          prompted = true;
          return;
        }
        if (first === 0) first = performance.now();
        for (const id of value[0] ?? []) generated.push(Number(id));
        request.onText?.(shown(decode()));
      }
      override end(): void {}
    }
    const stop = new tf.InterruptableStoppingCriteria();
    const abort = (): void => stop.interrupt();
    request.signal?.addEventListener('abort', abort);
    const maxNewTokens = request.maxNewTokens ?? MAX_NEW_TOKENS;
    try {
      await this.model.generate({
        ...inputs,
        max_new_tokens: maxNewTokens,
        do_sample: false,
        logits_processor: constraint ? [new Constrain()] : null,
        stopping_criteria: [stop],
        streamer: new Stream(),
      } as unknown as Parameters<TF.PreTrainedModel['generate']>[0]);
    } catch (e) {
      throw new LlmError('llm-generate', `The language model stopped with an error: ${messageOf(e)}`);
    } finally {
      request.signal?.removeEventListener('abort', abort);
    }
    const end = performance.now();
    const ends = this.endIds();
    const last = generated[generated.length - 1];
    const raw = decode();
    const filled = fill ? fillPlaceholders(raw, facts) : { text: raw, unknown: [] as string[] };
    return {
      text: filled.text.trim(),
      raw,
      mode: request.mode,
      tokens: generated.length,
      prefillMs: (first || end) - t0,
      decodeMs: first ? end - first : 0,
      stopped: request.signal?.aborted
        ? 'cancelled'
        : last !== undefined && ends.has(last)
          ? 'end'
          : generated.length >= maxNewTokens
            ? 'length'
            : 'end',
      unknownPlaceholders: filled.unknown,
      deadEnds: constraint?.deadEnds ?? 0,
    };
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}
