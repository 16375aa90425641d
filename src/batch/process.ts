/**
 * One job: retrieve a series by WADO-RS, analyse it with the pipeline of `lucent analyze`, and store its
 * DICOM SR (STOW-RS, or a file in a shared folder). A series that cannot be analysed (no such series,
 * not an image, no applicable model, unreadable files) is *skipped* with its reason and never retried;
 * anything that may pass on a second try (the PACS or the network) throws, and the queue retries it.
 *
 * Storing is idempotent: the SR's UIDs come from the series and the model version, and a SR already in
 * the PACS (stored by an attempt whose worker died before it could report) is not stored again.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Analysis, AnalysisSeries, Loaded } from '../cli/analyze';
import { DicomWebClient, type Fetch } from '../dicom/dicomweb';
import { loadAll } from '../dicom/load';
import { seriesProvenance } from '../dicom/series';
import { memorySource, type ByteSource } from '../dicom/source';
import { LucentError } from '../lib/errors';
import { aiResultsSr, aiSrUids } from '../report/sr';
import type { JobData, JobResult, ModelRef, Reason } from './types';

export interface ProcessDeps {
  /** `lucent analyze`'s analysis of loaded instances with the given model (the CLI passes analyzeLoaded). */
  analyze(loaded: Loaded, model: ModelRef): Promise<Analysis>;
  /** The version of a model installed on this worker, or null when it has none of that id. */
  installedVersion(modelId: string): string | null;
  readonly fetch: Fetch;
  /** Headers for every DICOMweb request (Authorization from the worker's environment). */
  readonly headers: Readonly<Record<string, string>>;
  /** Lucent's version, written into the SR. */
  readonly software: string;
  readonly worker: string;
  /** Parallel WADO-RS requests per series (default 4). */
  readonly retrieveConcurrency?: number;
}

/** A failure no retry can mend (the wrong model version on this worker): the job fails at once. */
export class PermanentJobError extends LucentError {}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

async function retrieve(
  client: DicomWebClient,
  data: JobData,
  concurrency: number,
  signal: AbortSignal,
): Promise<ByteSource[] | null> {
  const refs = await client.listSeriesInstances(data.studyInstanceUID, data.seriesInstanceUID, signal);
  if (refs.length === 0) return null;
  const out: ByteSource[] = new Array<ByteSource>(refs.length);
  let next = 0;
  const one = async (): Promise<void> => {
    while (next < refs.length) {
      const i = next++;
      const ref = refs[i];
      if (!ref) continue;
      out[i] = memorySource(`${ref.sopInstanceUID}.dcm`, await client.retrieveInstance(ref, signal));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, refs.length) }, one));
  return out;
}

/** The analysed entry for the job's series (the largest, if the series was split), or why there is none. */
function pick(analysis: Analysis, data: JobData): { series: AnalysisSeries } | { reason: Reason } {
  const mine = analysis.series.filter((s) => s.seriesInstanceUID === data.seriesInstanceUID);
  const [analysed] = mine.filter((s) => s.model !== null).sort((a, b) => b.images - a.images);
  if (analysed) return { series: analysed };
  const skipped = mine.find((s) => s.kind === 'image' && s.skipped)?.skipped ?? mine[0]?.skipped;
  if (skipped) return { reason: skipped };
  const error = analysis.errors[0];
  return {
    reason: {
      code: 'unreadable',
      message: `None of the series' ${analysis.errors.length} files could be read${error ? ` (${error.message})` : ''}.`,
    },
  };
}

async function storeSr(
  client: DicomWebClient,
  data: JobData,
  series: AnalysisSeries,
  bytes: Uint8Array,
  model: ModelRef,
  signal: AbortSignal,
): Promise<NonNullable<JobResult['sr']>> {
  const uids = aiSrUids(series.seriesInstanceUID, model);
  if (data.sr.kind === 'dir') {
    await mkdir(data.sr.dir, { recursive: true });
    const path = join(data.sr.dir, `${uids.sopInstanceUID}.dcm`);
    // Write then rename: a worker killed mid-write never leaves half a file under the final name.
    const partial = `${path}.${process.pid}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, path);
    return { sopInstanceUID: uids.sopInstanceUID, outcome: 'written' };
  }
  const present = await client.listSeriesInstances(series.studyInstanceUID, uids.seriesInstanceUID, signal);
  if (present.some((r) => r.sopInstanceUID === uids.sopInstanceUID)) {
    return { sopInstanceUID: uids.sopInstanceUID, outcome: 'already-stored' };
  }
  const result = await client.store([bytes], signal);
  if (!result.stored.includes(uids.sopInstanceUID)) {
    const reason = result.failed[0]?.reason;
    throw new LucentError(
      'stow-refused',
      `The PACS did not store the SR${reason !== undefined && reason !== null ? ` (failure reason ${reason})` : ''}.`,
    );
  }
  return { sopInstanceUID: uids.sopInstanceUID, outcome: 'stored' };
}

/** Run one job. Resolves with its result (done or skipped); throws for what a retry may mend. */
export async function processJob(data: JobData, deps: ProcessDeps, signal: AbortSignal): Promise<JobResult> {
  const started = performance.now();
  const installed = deps.installedVersion(data.model.id);
  if (installed !== data.model.version) {
    throw new PermanentJobError(
      'model-version',
      installed === null
        ? `This worker has no model ${data.model.id}; the batch asked for ${data.model.id} ${data.model.version}.`
        : `This worker has ${data.model.id} ${installed}; the batch asked for ${data.model.version}. Run workers with the batch's model version.`,
    );
  }
  const client = new DicomWebClient(data.dicomweb, deps.fetch, deps.headers);
  const sources = await retrieve(client, data, deps.retrieveConcurrency ?? 4, signal);
  const retrieved = performance.now();
  const base = { schema: 'lucent.batch-result/1', worker: deps.worker } as const;
  const empty: Analysis = { schema: 'lucent.analysis/1', series: [], errors: [] };
  const time = (analysed: number): JobResult['seconds'] => ({
    retrieve: seconds(retrieved - started),
    analyze: seconds(analysed - retrieved),
    total: seconds(performance.now() - started),
  });
  if (!sources) {
    return {
      ...base,
      status: 'skipped',
      reason: { code: 'not-found', message: 'The PACS holds no instances of this series.' },
      analysis: empty,
      sr: null,
      seconds: time(retrieved),
    };
  }
  const loaded = await loadAll(sources);
  const analysis = await deps.analyze(loaded, data.model);
  const analysed = performance.now();
  const picked = pick(analysis, data);
  if ('reason' in picked) {
    return { ...base, status: 'skipped', reason: picked.reason, analysis, sr: null, seconds: time(analysed) };
  }
  const bytes = aiResultsSr(picked.series, {
    source: seriesProvenance(loaded.instances, picked.series.seriesInstanceUID),
    created: new Date(),
    software: deps.software,
  });
  const sr = await storeSr(client, data, picked.series, bytes, data.model, signal);
  return { ...base, status: 'done', reason: null, analysis, sr, seconds: time(analysed) };
}
