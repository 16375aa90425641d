/**
 * The report demo language model in Node (transformers.js on onnxruntime-node, the CLI's path): tokens per
 * second while generating, time to read the prompt, and time to a full draft, for free and constrained
 * decoding, on held-out cases in both languages.
 */
import { resolve } from 'node:path';
import { openLlm } from '../src/cli/llm';
import { sample } from '../src/report/llm/corpus';
import type { DraftFacts } from '../src/report/llm/facts';
import type { DecodeMode } from '../src/report/llm/types';

export interface LlmModeResult {
  readonly mode: DecodeMode;
  readonly drafts: number;
  readonly tokens: number;
  readonly tokensPerSecond: number;
  readonly prefillMsMedian: number;
  readonly draftMsMedian: number;
  readonly draftMsMax: number;
}

export interface LlmBenchResult {
  readonly model: string;
  readonly sha256: string | null;
  readonly loadMs: number;
  readonly cases: number;
  readonly modes: readonly LlmModeResult[];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : (s[(s.length - 1) >> 1] ?? 0);
};
const r1 = (v: number): number => Math.round(v * 10) / 10;

export async function llmBench(casesPerLanguage = 4): Promise<LlmBenchResult> {
  const cases: DraftFacts[] = [];
  for (const language of ['en', 'zh-CN'] as const)
    for (let seed = 2_000_001, n = 0; n < casesPerLanguage; seed++) {
      const s = sample(seed, language, false);
      if (s.facts.findings.length === 0) continue;
      cases.push(s.facts);
      n++;
    }
  const t0 = performance.now();
  const model = await openLlm(resolve(import.meta.dirname, '../models/report-demo'), { allowRemote: false });
  const loadMs = performance.now() - t0;
  // One draft first, unmeasured: the runtime's first run allocates and prepares its kernels.
  await model.draft(cases[0], { mode: 'free', maxNewTokens: 16 });
  const modes: LlmModeResult[] = [];
  for (const mode of ['free', 'scoped'] as const) {
    let tokens = 0;
    let decodeMs = 0;
    const prefill: number[] = [];
    const total: number[] = [];
    for (const facts of cases) {
      const d = await model.draft(facts, { mode });
      tokens += d.tokens;
      decodeMs += d.decodeMs;
      prefill.push(d.prefillMs);
      total.push(d.prefillMs + d.decodeMs);
    }
    modes.push({
      mode,
      drafts: cases.length,
      tokens,
      tokensPerSecond: r1((tokens / Math.max(1, decodeMs)) * 1000),
      prefillMsMedian: r1(median(prefill)),
      draftMsMedian: Math.round(median(total)),
      draftMsMax: Math.round(Math.max(...total)),
    });
  }
  const { id, version, sha256 } = model.info;
  if ('dispose' in model) await model.dispose();
  return {
    model: `${id} ${version ?? ''}`.trim(),
    sha256,
    loadMs: Math.round(loadMs),
    cases: cases.length,
    modes,
  };
}
