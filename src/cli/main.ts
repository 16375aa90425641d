/**
 * The `lucent` command (Node host). stdout carries only JSON; errors go to stderr, one line each.
 * Exit codes: 0 success, 1 nothing could be analysed, 2 bad arguments.
 */
import { writeFile } from 'node:fs/promises';
import { LucentError, messageOf } from '../lib/errors';
import { parseArgs, numberOption } from './args';
import { version } from './version';
import { availableParallelism } from 'node:os';
// Each command loads its own modules when it runs, so `lucent lungrads` does not pay for onnxruntime,
// the synthesiser or the Redis client (start-up 2.0 s → about 0.6 s).

const USAGE = `usage: lucent <command> [options]

commands:
  --version                       print the version
  analyze <file|folder|zip>...    load DICOM and report series, findings and errors as lucent.analysis/1 JSON
      [--model ID] [--min-score P] [--out FILE] [--lang en|zh-CN] [--sr DIR]
                                  --sr also writes one DICOM SR (TID 1500, AI results) per analysed series
  eval <dataset> [--model ID] [--out FILE] [--limit N]
                                  detection metrics (LUNA16 FROC, CPM) over folders of DICOM + truth.json
  eval [<dataset>] --readers FILE [--model ID|none] [--csv DIR]
                                  score readers' marks (lucent.readers/1) by the same rules, with the model
                                  in the same table; truth from the dataset, else from FILE
  synth --out DIR                 write synthetic chest CT cases with ground truth (truth.json)
      [--cases N] [--seed S] [--first I] [--profile clinical|training]
      [--extra-subsolid N] [--extra-small N] [--demo] [--jobs J]
  lungrads --input FILE|-         ACR Lung-RADS v2022 for the nodules in a JSON file (- reads stdin)
      [--lang en|zh-CN]
  ground --analysis A.json --report R.txt|- [--lang en|zh-CN] [--series UID]
                                  check every sentence of a report against the findings
                                  (lucent.grounding/1); exit 3 when a sentence is not grounded
  draft --analysis A.json [--llm DIR|URL] [--lang en|zh-CN] [--series UID]
                                  the report draft (structured, or by the language model) with its
                                  grounding (lucent.draft/1)
  deidentify <file|folder|zip>... --out DIR
      [--keep-dates|--shift-dates DAYS] [--keep-uids] [--allow-burned-in]
                                  write de-identified copies (DICOM PS3.15 Basic Profile), print
                                  lucent.deidentify/1 JSON; never into an input folder
  batch --dicomweb URL --queue redis://HOST:PORT
      [--query 'Modality=CT&StudyDate=20260101-'] [--model ID] [--sr stow|DIR] [--wait]
                                  queue one analysis per series found (QIDO-RS); prints the batch id,
                                  with --wait the progress until it is finished
  batch status ID [--queue URL]   where a batch stands (lucent.batch-status/1 JSON)
  batch report ID [--queue URL] [--out FILE.csv]
                                  one CSV row per series: findings, highest Lung-RADS, time, status
  worker --queue redis://HOST:PORT [--concurrency N] [--lock-timeout S] [--grace S] [--name NAME]
                                  analyse queued series (WADO-RS in, DICOM SR out) until SIGTERM
`;

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

async function emitJson(value: unknown, out: string | undefined, io: Io): Promise<void> {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (out) await writeFile(out, text);
  else io.stdout(text);
}

async function analyze(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['model', 'min-score', 'out', 'lang', 'sr'], flags: [] });
  const minScore = numberOption(args, 'min-score', 0, 1);
  const lang = args.options.get('lang') ?? 'en';
  if (lang !== 'en' && lang !== 'zh-CN') throw new LucentError('bad-arguments', '--lang must be en or zh-CN');
  if (args.positionals.length === 0)
    throw new LucentError('bad-arguments', 'analyze needs at least one file, folder or zip');
  const model = args.options.get('model');
  const sr = args.options.get('sr');
  const { analyzeLoaded, loadPaths } = await import('./analyze');
  const loaded = await loadPaths(args.positionals);
  const analysis = await analyzeLoaded(loaded, {
    modelId: typeof model === 'string' ? model : undefined,
    minScore,
    language: lang,
  });
  for (const e of analysis.errors) io.stderr(`lucent: ${e.file}: ${e.message}\n`);
  if (typeof sr === 'string') {
    const { writeAnalysisSrs } = await import('./report');
    await writeAnalysisSrs(analysis, loaded, sr, lang);
  }
  const out = args.options.get('out');
  await emitJson(analysis, typeof out === 'string' ? out : undefined, io);
  if (analysis.series.length === 0) {
    io.stderr('lucent: nothing could be analysed: no readable DICOM was found\n');
    return 1;
  }
  return 0;
}

async function evalCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['model', 'out', 'limit', 'models', 'readers', 'csv'], flags: [] });
  const [dataset] = args.positionals;
  const modelsDir = args.options.get('models');
  const model = args.options.get('model');
  const readers = args.options.get('readers');
  if (typeof readers === 'string') {
    const { evaluateReaders, tableLines } = await import('./readers');
    const csv = args.options.get('csv');
    const result = await evaluateReaders(readers, dataset, {
      modelId: typeof model === 'string' ? model : undefined,
      limit: numberOption(args, 'limit', 1, 1e6),
      modelsDir: typeof modelsDir === 'string' ? modelsDir : undefined,
      csvDir: typeof csv === 'string' ? csv : undefined,
      onProgress: (line) => io.stderr(`lucent: ${line}\n`),
    });
    for (const line of tableLines(result)) io.stderr(`${line}\n`);
    const out = args.options.get('out');
    await emitJson(result, typeof out === 'string' ? out : undefined, io);
    return 0;
  }
  if (!dataset) throw new LucentError('bad-arguments', 'eval needs a dataset folder');
  const { evaluate } = await import('./eval');
  const report = await evaluate(dataset, {
    modelId: typeof model === 'string' ? model : undefined,
    limit: numberOption(args, 'limit', 1, 1e6),
    modelsDir: typeof modelsDir === 'string' ? modelsDir : undefined,
    onProgress: (line) => io.stderr(`lucent: ${line}\n`),
  });
  const out = args.options.get('out');
  await emitJson(report, typeof out === 'string' ? out : undefined, io);
  return 0;
}

async function synth(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, {
    values: ['out', 'cases', 'seed', 'jobs', 'profile', 'first', 'extra-subsolid', 'extra-small'],
    flags: ['demo'],
  });
  const profile = args.options.get('profile') ?? 'clinical';
  if (profile !== 'clinical' && profile !== 'training') {
    throw new LucentError(
      'bad-arguments',
      '--profile must be clinical (0–4 nodules per case) or training (2–6)',
    );
  }
  const first = numberOption(args, 'first', 0, 1e9) ?? 0;
  const extraSubsolid = numberOption(args, 'extra-subsolid', 0, 20);
  if (extraSubsolid !== undefined && (profile !== 'training' || !Number.isInteger(extraSubsolid)))
    throw new LucentError(
      'bad-arguments',
      '--extra-subsolid N (a whole number) is for --profile training only',
    );
  const extraSmall = numberOption(args, 'extra-small', 0, 20);
  if (extraSmall !== undefined && (profile !== 'training' || !Number.isInteger(extraSmall)))
    throw new LucentError('bad-arguments', '--extra-small N (a whole number) is for --profile training only');
  const out = args.options.get('out');
  if (typeof out !== 'string') throw new LucentError('bad-arguments', 'synth needs --out DIR');
  const cases = numberOption(args, 'cases', 1, 100000) ?? 1;
  const jobs = numberOption(args, 'jobs', 1, 64) ?? availableParallelism();
  const seedOption = args.options.get('seed');
  const seed = typeof seedOption === 'string' ? seedOption : '1';
  const started = performance.now();
  const { runJobs, writeDemo } = await import('./synth');
  if (args.options.get('demo') === true) {
    const index = await writeDemo(out, jobs);
    await emitJson(
      { out, demo: index.map((d) => d.id), seconds: Math.round((performance.now() - started) / 100) / 10 },
      undefined,
      io,
    );
    return 0;
  }
  const options =
    profile === 'training'
      ? {
          noduleCount: [2, 6] as const,
          ...(extraSubsolid === undefined ? {} : { extraSubsolid }),
          ...(extraSmall === undefined ? {} : { extraSmall }),
        }
      : {};
  const list = Array.from({ length: Math.floor(cases) }, (_, i) => ({
    out,
    seed,
    index: first + i,
    options,
  }));
  const results = await runJobs(list, jobs, (r) =>
    io.stderr(`lucent: wrote ${r.name} (${r.files.length} slices, ${r.truth.nodules.length} nodules)\n`),
  );
  const slices = results.reduce((n, r) => n + r.files.length, 0);
  await emitJson(
    {
      out,
      seed,
      cases: results.map((r) => ({ name: r.name, slices: r.files.length, nodules: r.truth.nodules.length })),
      slices,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    },
    undefined,
    io,
  );
  return 0;
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case '--version':
      case '-v':
      case 'version':
        io.stdout(`${version}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        if (command === undefined) io.stderr(USAGE);
        else io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      case 'analyze':
        return await analyze(rest, io);
      case 'lungrads':
        return await (await import('./lungrads')).lungrads(rest, io);
      case 'ground':
        return await (await import('./report')).groundCommand(rest, io);
      case 'draft':
        return await (await import('./report')).draftCommand(rest, io);
      case 'synth':
        return await synth(rest, io);
      case 'eval':
        return await evalCommand(rest, io);
      case 'deidentify':
        return await (await import('./deidentify')).deidentifyCommand(rest, io);
      case 'batch':
        return await (await import('./batch')).batch(rest, io);
      case 'worker':
        return await (await import('./batch')).worker(rest, io);
      default:
        io.stderr(`lucent: unknown command "${command}"\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof LucentError && e.code === 'bad-arguments') {
      io.stderr(`lucent: ${e.message}\n`);
      return 2;
    }
    io.stderr(`lucent: ${messageOf(e)}\n`);
    return 1;
  }
}
