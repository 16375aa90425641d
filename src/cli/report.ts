/**
 * The report commands of the Node host (CONTRACTS.md):
 * - `lucent ground --analysis A.json --report R.txt|- [--lang en|zh-CN] [--series UID]` checks every
 *   sentence of a report against the findings of one analysed series and prints `lucent.grounding/1`;
 *   exit 0 when every sentence is grounded, 3 when one is not, 2 for bad arguments;
 * - `lucent draft --analysis A.json [--llm DIR|URL] [--lang en|zh-CN] [--series UID]` prints
 *   `lucent.draft/1`: the structured draft (no `--llm`) or the language model's, with its grounding;
 * - `writeAnalysisSrs`: `lucent analyze … --sr DIR` writes one AI-results SR per analysed series.
 * The analysis file is read as untrusted JSON: every finding field is checked before use, and an error
 * names the field, never a value from the file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { text as streamText } from 'node:stream/consumers';
import { LUNG_RADS_MANAGEMENT, type AssessedCategory } from '../findings/lungradsTable';
import type { Language } from '../i18n/language';
import { seriesProvenance } from '../dicom/series';
import { LucentError } from '../lib/errors';
import { draftText } from '../report/editing';
import { ground, type Grounding } from '../report/ground';
import { aiResultsSr, aiSrUids } from '../report/sr';
import { buildDraft } from '../report/structured';
import type { Analysis, Loaded } from './analyze';
import { parseArgs } from './args';
import { draftWithLlm, factsFromSeries, type LlmSeriesInput } from './llm';
import type { Io } from './main';
import { version } from './version';

/** Exit code of `lucent ground` when some sentence is not grounded. */
export const EXIT_UNGROUNDED = 3;

const bad = (message: string): LucentError => new LucentError('bad-arguments', message);

function languageOf(value: string | true | undefined): Language {
  if (value === undefined) return 'en';
  if (value === 'en' || value === 'zh-CN') return value;
  throw bad('--lang must be en or zh-CN');
}

async function readText(path: string, what: string, stdin: () => Promise<string>): Promise<string> {
  if (path === '-') return stdin();
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : 'unreadable';
    throw bad(`cannot read the ${what} file (${code})`);
  }
}

interface AnalysedSeries extends LlmSeriesInput {
  readonly seriesInstanceUID: string;
}

/**
 * The series of a `lucent.analysis/1` document the report is about: the one named by `--series`, else
 * the only analysed series with findings, else the only analysed series.
 */
export function pickSeries(json: unknown, seriesUID: string | undefined): AnalysedSeries {
  const doc = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  if (doc.schema !== 'lucent.analysis/1' || !Array.isArray(doc.series))
    throw bad('the --analysis file is not lucent.analysis/1 JSON (from lucent analyze)');
  const all = (doc.series as unknown[]).flatMap((s): AnalysedSeries[] => {
    if (typeof s !== 'object' || s === null) return [];
    const o = s as Record<string, unknown>;
    if (typeof o.seriesInstanceUID !== 'string' || !o.model || !Array.isArray(o.findings)) return [];
    const lr = o.lungRads as { category?: unknown; management?: unknown } | null | undefined;
    const lungRads =
      lr && typeof lr.category === 'string' && typeof lr.management === 'string'
        ? { category: lr.category, management: lr.management }
        : null;
    return [{ seriesInstanceUID: o.seriesInstanceUID, findings: o.findings as unknown[], lungRads }];
  });
  if (seriesUID !== undefined) {
    const named = all.find((s) => s.seriesInstanceUID === seriesUID);
    if (!named) throw bad('--series names no analysed series of the --analysis file');
    return named;
  }
  const withFindings = all.filter((s) => s.findings.length > 0);
  const candidates = withFindings.length > 0 ? withFindings : all;
  if (candidates.length === 0) throw bad('the --analysis file has no analysed series');
  if (candidates.length > 1)
    throw bad(`the --analysis file has ${candidates.length} analysed series: choose one with --series UID`);
  return candidates[0];
}

interface ReportArgs {
  readonly series: AnalysedSeries;
  readonly language: Language;
  readonly options: Map<string, string | true>;
}

async function reportArgs(
  argv: readonly string[],
  command: string,
  extra: { values: string[]; flags: string[] },
): Promise<ReportArgs> {
  const args = parseArgs(argv, {
    values: ['analysis', 'lang', 'series', ...extra.values],
    flags: extra.flags,
  });
  if (args.positionals.length > 0) throw bad(`${command} takes no positional arguments`);
  const language = languageOf(args.options.get('lang'));
  const analysis = args.options.get('analysis');
  if (typeof analysis !== 'string') throw bad(`${command} needs --analysis FILE (from lucent analyze)`);
  let json: unknown;
  try {
    json = JSON.parse(await readText(analysis, '--analysis', () => streamText(process.stdin)));
  } catch (e) {
    if (e instanceof LucentError) throw e;
    throw bad('the --analysis file is not valid JSON');
  }
  const series = args.options.get('series');
  return {
    series: pickSeries(json, typeof series === 'string' ? series : undefined),
    language,
    options: args.options,
  };
}

/** The examination's category and its management in the report's language. */
function overallOf(series: AnalysedSeries, language: Language) {
  const facts = factsFromSeries(series, language);
  const known = LUNG_RADS_MANAGEMENT[facts.overall.category as AssessedCategory] as
    (typeof LUNG_RADS_MANAGEMENT)[AssessedCategory] | undefined;
  return {
    facts,
    overall: {
      category: facts.overall.category,
      management: known?.text[language] ?? facts.overall.management,
    },
  };
}

/** `lucent ground`. */
export async function groundCommand(
  argv: readonly string[],
  io: Io,
  stdin: () => Promise<string> = () => streamText(process.stdin),
): Promise<number> {
  const { series, language, options } = await reportArgs(argv, 'ground', { values: ['report'], flags: [] });
  const report = options.get('report');
  if (typeof report !== 'string') throw bad('ground needs --report FILE (or --report - to read stdin)');
  if (report === '-' && options.get('analysis') === '-')
    throw bad('only one of --analysis and --report can be -');
  const { facts, overall } = overallOf(series, language);
  const text = await readText(report, '--report', stdin);
  const grounding = ground(text, facts.findings, language, { caseCategory: overall.category });
  io.stdout(`${JSON.stringify(grounding)}\n`);
  return grounding.grounded ? 0 : EXIT_UNGROUNDED;
}

/** `lucent.draft/1` of the structured draft (no language model). */
export interface StructuredDraftOutput {
  readonly schema: 'lucent.draft/1';
  readonly text: string;
  readonly model: null;
  readonly grounding: Grounding;
}

/** `lucent draft`. */
export async function draftCommand(argv: readonly string[], io: Io): Promise<number> {
  const { series, language, options } = await reportArgs(argv, 'draft', {
    values: ['llm', 'max-new-tokens'],
    flags: ['allow-remote'],
  });
  const llm = options.get('llm');
  if (typeof llm === 'string') {
    const max = options.get('max-new-tokens');
    const maxNewTokens = typeof max === 'string' ? Number(max) : undefined;
    if (maxNewTokens !== undefined && !(Number.isInteger(maxNewTokens) && maxNewTokens > 0))
      throw bad('--max-new-tokens must be a positive whole number');
    const out = await draftWithLlm(series, llm, {
      language,
      allowRemote: options.get('allow-remote') === true,
      ...(maxNewTokens ? { maxNewTokens } : {}),
    });
    io.stdout(`${JSON.stringify(out)}\n`);
    return 0;
  }
  if (llm === true) throw bad('--llm needs a model folder or a loopback URL');
  const { facts, overall } = overallOf(series, language);
  const nodules = facts.findings.map((f) => ({ ...f, side: f.location?.side, zone: f.location?.zone }));
  const text = draftText(buildDraft({ findings: nodules, overall }, language));
  const out: StructuredDraftOutput = {
    schema: 'lucent.draft/1',
    text,
    model: null,
    grounding: ground(text, facts.findings, language, { caseCategory: overall.category }),
  };
  io.stdout(`${JSON.stringify(out)}\n`);
  return 0;
}

/**
 * `lucent analyze … --sr DIR`: one SR (AI results, unverified) per analysed series, named by its SOP
 * Instance UID, which is derived from the source series and the model version (the same analysis
 * writes the same file). Returns the files written.
 */
export async function writeAnalysisSrs(
  analysis: Analysis,
  loaded: Loaded,
  dir: string,
  language: Language,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const created = new Date();
  for (const series of analysis.series) {
    if (!series.model) continue;
    const bytes = aiResultsSr(series, {
      source: seriesProvenance(loaded.instances, series.seriesInstanceUID),
      created,
      software: version,
      language,
    });
    const path = join(dir, `${aiSrUids(series.seriesInstanceUID, series.model).sopInstanceUID}.dcm`);
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, path);
    written.push(path);
  }
  return written;
}
