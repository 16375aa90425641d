/**
 * The language model in the Node host: a transformers.js model folder on disk (run on onnxruntime-node,
 * device `cpu`) or an OpenAI-compatible endpoint URL (loopback unless allowed).
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { caseCategory } from '../findings/assess';
import type { LungRadsCategory, NoduleLocation, NoduleType } from '../findings/types';
import type { Language } from '../i18n/language';
import { LucentError } from '../lib/errors';
import { caseCategoryOf, ground, type Grounding } from '../report/ground';
import { EndpointModel } from '../report/llm/endpoint';
import type { DraftFacts, FactFinding } from '../report/llm/facts';
import { describeFolder, type ModelFolder } from '../report/llm/folder';
import { LocalModel } from '../report/llm/local';
import { loadTransformers, type LlmBackend } from '../report/llm/runtime';
import type { DecodeMode, LlmDraft, LlmModelInfo } from '../report/llm/types';

/** A folder on disk as the model loader reads it. */
export function diskFolder(dir: string): ModelFolder {
  const root = resolve(dir);
  return {
    name: basename(root),
    async read(path) {
      try {
        return new Uint8Array(await readFile(join(root, path)));
      } catch {
        return null;
      }
    },
  };
}

/** Opens `spec`: a URL is an endpoint, anything else a model folder. */
export async function openLlm(spec: string, options: { allowRemote: boolean }): Promise<LlmBackend> {
  if (/^https?:\/\//i.test(spec)) return EndpointModel.connect(spec, { allowRemote: options.allowRemote });
  const info = await describeFolder(diskFolder(spec));
  const tf = await loadTransformers();
  return LocalModel.load(tf, info, { modelId: resolve(spec), device: 'cpu' });
}

/** What `lucent draft --llm` needs of a `lucent.analysis/1` series (read from JSON, so checked). */
export interface LlmSeriesInput {
  readonly findings: readonly unknown[];
  readonly lungRads: { readonly category: string; readonly management: string } | null;
}

const TYPES: readonly string[] = ['solid', 'part-solid', 'ground-glass', 'calcified'];
const CATEGORIES: readonly string[] = ['0', '1', '2', '3', '4A', '4B', '4X', 'S'];

function fact(value: unknown, index: number): FactFinding {
  const bad = (what: string): never => {
    throw new LucentError('bad-arguments', `finding ${index + 1} of the analysis has no valid ${what}`);
  };
  const o = (typeof value === 'object' && value !== null ? value : bad('fields')) as Record<string, unknown>;
  const num = (k: string): number =>
    typeof o[k] === 'number' && Number.isFinite(o[k]) && o[k] > 0 ? o[k] : bad(k);
  const id = typeof o.id === 'string' ? o.id : bad('id');
  const type = typeof o.type === 'string' && TYPES.includes(o.type) ? (o.type as NoduleType) : bad('type');
  const lungRads =
    typeof o.lungRads === 'string' && CATEGORIES.includes(o.lungRads)
      ? (o.lungRads as LungRadsCategory)
      : bad('lungRads');
  const solid =
    o.solidComponentMm === null || o.solidComponentMm === undefined ? null : num('solidComponentMm');
  const loc = o.location as { side?: unknown; zone?: unknown } | undefined;
  const side = loc?.side === 'right' || loc?.side === 'left' ? loc.side : null;
  const zone = loc?.zone === 'upper' || loc?.zone === 'middle' || loc?.zone === 'lower' ? loc.zone : null;
  const location: NoduleLocation | undefined = side && zone ? { side, zone } : undefined;
  const margin =
    o.margin === 'smooth' || o.margin === 'lobulated' || o.margin === 'spiculated' ? o.margin : undefined;
  return {
    id,
    type,
    meanDiameterMm: num('meanDiameterMm'),
    longAxisMm: num('longAxisMm'),
    shortAxisMm: num('shortAxisMm'),
    solidComponentMm: solid,
    ...(location ? { location } : {}),
    ...(margin ? { margin } : {}),
    lungRads,
  };
}

/**
 * The facts a language model is given for an analysed series: its findings (sizes, type, location,
 * margin, category) and the examination's category and management. Nothing else of the analysis (no UID,
 * no description) is copied, so no identifier can reach the prompt.
 */
export function factsFromSeries(series: LlmSeriesInput, language: Language): DraftFacts {
  const findings = series.findings.map(fact);
  const overall = series.lungRads
    ? {
        category: CATEGORIES.includes(series.lungRads.category)
          ? (series.lungRads.category as LungRadsCategory)
          : caseCategoryOf(findings),
        management: series.lungRads.management,
      }
    : caseCategory(findings, language);
  return { language, findings, overall };
}

export interface LlmDraftOptions {
  readonly language: Language;
  /** `scoped` (the default for a local model): constrained decoding; an endpoint runs `placeholders`. */
  readonly mode?: DecodeMode;
  readonly allowRemote?: boolean;
  readonly maxNewTokens?: number;
  readonly signal?: AbortSignal;
  readonly onText?: (text: string) => void;
}

/** `lucent.draft/1` for a draft written by a language model. */
export interface LlmDraftOutput {
  readonly schema: 'lucent.draft/1';
  readonly text: string;
  readonly model: Omit<LlmModelInfo, 'card'> & {
    readonly mode: DecodeMode;
    readonly tokens: number;
    readonly stopped: LlmDraft['stopped'];
  };
  readonly grounding: Grounding;
}

/**
 * `lucent draft --analysis A.json --llm DIR|URL`: the series' findings phrased by the language model in
 * DIR (or at the loopback URL), then the grounding check on what it wrote. The plain `lucent draft`
 * command parses its arguments and the analysis, and calls this when `--llm` is given.
 */
export async function draftWithLlm(
  series: LlmSeriesInput,
  spec: string,
  options: LlmDraftOptions,
): Promise<LlmDraftOutput> {
  const facts = factsFromSeries(series, options.language);
  const backend = await openLlm(spec, { allowRemote: options.allowRemote === true });
  try {
    const mode = options.mode ?? (backend instanceof LocalModel ? 'scoped' : 'placeholders');
    const d = await backend.draft(facts, {
      mode,
      ...(options.maxNewTokens ? { maxNewTokens: options.maxNewTokens } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onText ? { onText: options.onText } : {}),
    });
    const { card: _card, ...info } = backend.info;
    return {
      schema: 'lucent.draft/1',
      text: d.text,
      model: { ...info, mode: d.mode, tokens: d.tokens, stopped: d.stopped },
      grounding: ground(d.text, facts.findings, options.language, { caseCategory: facts.overall.category }),
    };
  } finally {
    if (backend instanceof LocalModel) await backend.dispose();
  }
}
