/**
 * `lucent batch`: find series by QIDO-RS, and queue one job per series that has no result yet for this
 * model version. A series whose SR is already in the target (from an earlier batch) is listed in the
 * batch as already done and not queued; a series whose job is still queued or running is shared with the
 * batch that queued it; a job that failed before is retried.
 *
 * The batch record (Redis) holds the model, the series' UIDs and their job ids; never the query (it may
 * name a patient) and nothing else about the patients.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DicomWebClient, SeriesHit } from '../dicom/dicomweb';
import { LucentError } from '../lib/errors';
import { toHex } from '../lib/hash';
import { aiSrDescription, aiSrUids } from '../report/sr';
import { jobIdFor } from './redis';
import {
  ATTEMPTS,
  BACKOFF_MS,
  keys,
  type BatchEntry,
  type BatchMeta,
  type JobData,
  type JobResult,
  type ModelRef,
  type SrTarget,
} from './types';

const PAGE = 500;

/** Parse `--query 'Modality=CT&StudyDate=20260101-'` into QIDO-RS filters. */
export function parseQuery(query: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!query) return out;
  for (const [key, value] of new URLSearchParams(query)) {
    if (!/^([A-Za-z][A-Za-z0-9]*|[0-9A-Fa-f]{8})$/.test(key)) {
      throw new LucentError('bad-arguments', `--query: "${key}" is not a DICOM attribute keyword or tag`);
    }
    if (['limit', 'offset', 'includefield', 'fuzzymatching'].includes(key.toLowerCase())) {
      throw new LucentError('bad-arguments', `--query: "${key}" is set by lucent batch itself`);
    }
    out[key] = value;
  }
  return out;
}

/** Every series the query finds, page by page, leaving out Lucent's own AI result SRs. */
export async function findSeries(
  client: DicomWebClient,
  query: Readonly<Record<string, string>>,
): Promise<SeriesHit[]> {
  const out: SeriesHit[] = [];
  const seen = new Set<string>();
  for (let offset = 0; ; offset += PAGE) {
    const page = await client.searchSeries(query, { limit: PAGE, offset });
    for (const s of page) {
      if (seen.has(s.seriesInstanceUID)) continue;
      seen.add(s.seriesInstanceUID);
      if (s.modality === 'SR' && s.description.startsWith('Lucent AI')) continue;
      out.push(s);
    }
    if (page.length < PAGE) return out;
  }
}

/**
 * SR series for this model version already in the PACS. The search asks for Lucent's SRs by a wildcard
 * on the description's first word (Orthanc matches no value with a space in it, exact or wildcard), then
 * keeps those whose description names this version; the caller matches their UIDs.
 */
async function storedSrSeries(client: DicomWebClient, model: ModelRef): Promise<Set<string>> {
  const hits = await findSeriesRaw(client, { Modality: 'SR', SeriesDescription: 'Lucent*' });
  const description = aiSrDescription(model);
  return new Set(hits.filter((h) => h.description === description).map((h) => h.seriesInstanceUID));
}

async function findSeriesRaw(client: DicomWebClient, query: Record<string, string>): Promise<SeriesHit[]> {
  const out: SeriesHit[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await client.searchSeries(query, { limit: PAGE, offset });
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

export interface BatchRequest {
  readonly dicomweb: string;
  readonly query: Readonly<Record<string, string>>;
  readonly model: ModelRef;
  readonly sr: SrTarget;
}

export interface BatchCreated {
  readonly meta: BatchMeta;
  readonly entries: readonly BatchEntry[];
}

function newBatchId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 13);
  const random = toHex(crypto.getRandomValues(new Uint8Array(3)));
  return `${stamp}-${random}`;
}

/**
 * Create a batch: find the series, decide for each whether it needs a job, record the batch, queue the
 * jobs. Returns the batch record and its entries.
 */
export async function createBatch(
  queue: Queue<JobData, JobResult>,
  redis: Redis,
  client: DicomWebClient,
  request: BatchRequest,
  onProgress: (line: string) => void = () => {},
): Promise<BatchCreated> {
  const series = await findSeries(client, request.query);
  onProgress(`found ${series.length} series`);
  const stored = request.sr.kind === 'stow' ? await storedSrSeries(client, request.model) : new Set<string>();
  const isDone = (s: SeriesHit): boolean => {
    const uids = aiSrUids(s.seriesInstanceUID, request.model);
    if (request.sr.kind === 'stow') return stored.has(uids.seriesInstanceUID);
    return existsSync(join(request.sr.dir, `${uids.sopInstanceUID}.dcm`));
  };
  const entries: BatchEntry[] = [];
  const toAdd: { name: string; data: JobData; opts: { jobId: string } & Record<string, unknown> }[] = [];
  for (const s of series) {
    const job = jobIdFor(s.seriesInstanceUID, request.model);
    const entry = { job, study: s.studyInstanceUID, series: s.seriesInstanceUID };
    if (isDone(s)) {
      entries.push({ ...entry, already: true });
      continue;
    }
    entries.push(entry);
    const existing = await queue.getJob(job);
    if (existing) {
      const state = await existing.getState();
      // A series skipped before is skipped again without work; queued and running jobs are shared.
      if (state === 'completed' && existing.returnvalue.status === 'skipped') continue;
      if (state === 'failed') {
        await existing.retry('failed');
        continue;
      }
      if (state !== 'completed' && state !== 'unknown') continue;
      // Completed, but its SR is no longer in the target: analyse it again.
      await existing.remove();
    }
    toAdd.push({
      name: 'analyze',
      data: {
        schema: 'lucent.batch-job/1',
        dicomweb: request.dicomweb,
        studyInstanceUID: s.studyInstanceUID,
        seriesInstanceUID: s.seriesInstanceUID,
        model: request.model,
        sr: request.sr,
      },
      opts: {
        jobId: job,
        attempts: ATTEMPTS,
        backoff: { type: 'exponential', delay: BACKOFF_MS },
      },
    });
  }
  const id = newBatchId(new Date());
  const meta: BatchMeta = {
    schema: 'lucent.batch/1',
    id,
    created: Date.now(),
    model: request.model,
    sr: request.sr.kind,
    total: entries.length,
    queued: entries.filter((e) => !e.already).length,
    already: entries.filter((e) => e.already).length,
  };
  // The batch is recorded before its jobs are queued, so a status query never misses a job.
  for (let i = 0; i < entries.length; i += PAGE) {
    await redis.rpush(keys.entries(id), ...entries.slice(i, i + PAGE).map((e) => JSON.stringify(e)));
  }
  await redis.set(keys.batch(id), JSON.stringify(meta));
  for (let i = 0; i < toAdd.length; i += PAGE) await queue.addBulk(toAdd.slice(i, i + PAGE));
  onProgress(`batch ${id}: ${meta.queued} series queued, ${meta.already} already done`);
  return { meta, entries };
}

/** A batch's record and entries, or a clear error when Redis has no batch of that id. */
export async function readBatch(redis: Redis, id: string): Promise<BatchCreated> {
  const raw = await redis.get(keys.batch(id));
  if (!raw) throw new LucentError('no-such-batch', `There is no batch ${id} in this Redis.`);
  const meta = JSON.parse(raw) as BatchMeta;
  const entries = (await redis.lrange(keys.entries(id), 0, -1)).map((e) => JSON.parse(e) as BatchEntry);
  return { meta, entries };
}
