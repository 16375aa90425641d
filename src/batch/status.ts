/**
 * Where a batch stands: each series' job state (BullMQ) and, for finished jobs, their outcome (done or
 * skipped, Lucent's hash), counted; rate and ETA from the finish times. And `lucent batch report`: one
 * CSV row per series.
 */
import type { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { readBatch } from './enqueue';
import { keys, type BatchEntry, type BatchMeta, type JobData, type JobResult, type Outcome } from './types';

export type SeriesState = 'done' | 'skipped' | 'failed' | 'running' | 'waiting' | 'already-done' | 'missing';

export interface BatchStatus {
  readonly schema: 'lucent.batch-status/1';
  readonly batch: string;
  readonly model: BatchMeta['model'];
  readonly total: number;
  readonly counts: Readonly<Record<SeriesState, number>>;
  /** Finished (done, skipped, failed) of those queued. */
  readonly finished: number;
  readonly finishedFraction: number;
  /** Series per minute over the last few minutes (null before two have finished). */
  readonly perMinute: number | null;
  /** Seconds to go at that rate (null when unknown). */
  readonly etaSeconds: number | null;
  readonly elapsedSeconds: number;
  readonly complete: boolean;
}

const CHUNK = 500;
const WINDOW_MS = 5 * 60_000;

async function chunked<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CHUNK)
    out.push(...(await Promise.all(items.slice(i, i + CHUNK).map(f))));
  return out;
}

async function outcomes(redis: Redis, ids: readonly string[]): Promise<(Outcome | null)[]> {
  const out: (Outcome | null)[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const slice = ids.slice(i, i + CHUNK);
    const raw = slice.length > 0 ? await redis.hmget(keys.outcomes, ...slice) : [];
    out.push(...raw.map((r) => (r ? (JSON.parse(r) as Outcome) : null)));
  }
  return out;
}

/** Each entry's state, in the batch's order. */
export async function entryStates(
  queue: Queue<JobData, JobResult>,
  redis: Redis,
  entries: readonly BatchEntry[],
): Promise<{ states: SeriesState[]; outcomes: (Outcome | null)[] }> {
  const ids = entries.map((e) => e.job);
  const jobStates = await chunked(entries, (e) =>
    e.already ? Promise.resolve('already') : queue.getJobState(e.job),
  );
  const done = await outcomes(redis, ids);
  const states = entries.map((e, i): SeriesState => {
    const s = jobStates[i];
    if (e.already) return 'already-done';
    switch (s) {
      case 'completed':
        return done[i]?.status === 'skipped' ? 'skipped' : 'done';
      case 'failed':
        return 'failed';
      case 'active':
        return 'running';
      case 'unknown':
        return 'missing';
      default:
        return 'waiting';
    }
  });
  return { states, outcomes: done };
}

export async function batchStatus(
  queue: Queue<JobData, JobResult>,
  redis: Redis,
  id: string,
  now = Date.now(),
): Promise<BatchStatus> {
  const { meta, entries } = await readBatch(redis, id);
  const { states, outcomes: done } = await entryStates(queue, redis, entries);
  const counts: Record<SeriesState, number> = {
    done: 0,
    skipped: 0,
    failed: 0,
    running: 0,
    waiting: 0,
    'already-done': 0,
    missing: 0,
  };
  for (const s of states) counts[s]++;
  const queued = meta.total - counts['already-done'];
  const finished = counts.done + counts.skipped + counts.failed + counts.missing;
  // The rate counts what finished within the window (or since the batch began, if that is shorter).
  const since = Math.max(meta.created, now - WINDOW_MS);
  const recent = done.filter(
    (o, i) => o && o.at >= since && (states[i] === 'done' || states[i] === 'skipped'),
  ).length;
  const spanMinutes = (now - since) / 60_000;
  const perMinute = recent >= 2 && spanMinutes > 0 ? recent / spanMinutes : null;
  const left = queued - finished;
  return {
    schema: 'lucent.batch-status/1',
    batch: id,
    model: meta.model,
    total: meta.total,
    counts,
    finished,
    finishedFraction: queued === 0 ? 1 : finished / queued,
    perMinute: perMinute === null ? null : Math.round(perMinute * 10) / 10,
    etaSeconds: left === 0 ? 0 : perMinute ? Math.round((left / perMinute) * 60) : null,
    elapsedSeconds: Math.round((now - meta.created) / 1000),
    complete: left === 0,
  };
}

/** One CSV field (RFC 4180 quoting). */
function field(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const REPORT_COLUMNS = [
  'study_instance_uid',
  'series_instance_uid',
  'model',
  'model_version',
  'status',
  'findings',
  'highest_lung_rads',
  'exam_lung_rads',
  'finding_list',
  'seconds',
  'reason',
  'sr_sop_instance_uid',
] as const;

const ORDER = ['0', '1', '2', '3', '4A', '4B', '4X'];

/** The batch as CSV: a header and one row per series, in the batch's order. */
export async function batchReport(
  queue: Queue<JobData, JobResult>,
  redis: Redis,
  id: string,
): Promise<string> {
  const { meta, entries } = await readBatch(redis, id);
  const { states } = await entryStates(queue, redis, entries);
  const jobs = await chunked(entries, (e) => (e.already ? Promise.resolve(undefined) : queue.getJob(e.job)));
  const rows = entries.map((e, i) => {
    const job: Job<JobData, JobResult> | undefined = jobs[i];
    const state = states[i] ?? 'missing';
    const result = state === 'done' || state === 'skipped' ? job?.returnvalue : undefined;
    const series = result?.analysis.series.find((s) => s.seriesInstanceUID === e.series && s.model !== null);
    const findings = series?.findings ?? [];
    const highest = findings
      .map((f) => f.lungRads as string)
      .sort((a, b) => ORDER.indexOf(b) - ORDER.indexOf(a))[0];
    const reason =
      state === 'failed'
        ? (job?.failedReason ?? '')
        : state === 'already-done'
          ? 'an SR for this model version was already stored before the batch'
          : (result?.reason?.message ?? '');
    return [
      e.study,
      e.series,
      meta.model.id,
      meta.model.version,
      state,
      series ? findings.length : null,
      series ? (highest ?? null) : null,
      series?.lungRads?.category ?? null,
      findings
        .map(
          (f) => `${f.id} ${f.type} ${f.meanDiameterMm.toFixed(1)} mm ${f.lungRads} (${f.score.toFixed(2)})`,
        )
        .join('; '),
      result ? result.seconds.total : null,
      reason,
      result?.sr?.sopInstanceUID ?? null,
    ].map(field);
  });
  return [REPORT_COLUMNS.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}
