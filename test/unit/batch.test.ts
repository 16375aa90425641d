/**
 * The batch on a real Redis and a real Orthanc, in one process: a CT series is analysed and its SR
 * stored once; a series too short for the model and an MR series end as skipped with their reasons; a
 * second batch queues nothing already done; the CSV has one row per series; a series that vanished from
 * the PACS is skipped, not retried; a worker with another model version fails the job at once.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedModels } from '../../src/ai/node/models';
import { createBatch, parseQuery } from '../../src/batch/enqueue';
import { batchFetch } from '../../src/batch/http';
import { processJob, type ProcessDeps } from '../../src/batch/process';
import {
  bullConnection,
  jobIdFor,
  lucentClient,
  parseRedisUrl,
  type RedisAddress,
} from '../../src/batch/redis';
import { batchReport, batchStatus, type BatchStatus } from '../../src/batch/status';
import { QUEUE_NAME, type JobData, type JobResult, type ModelRef } from '../../src/batch/types';
import { startWorker, type RunningWorker } from '../../src/batch/worker';
import { analyzeLoaded } from '../../src/cli/analyze';
import { main } from '../../src/cli/main';
import { DicomWebClient, type Fetch } from '../../src/dicom/dicomweb';
import { aiSrUids } from '../../src/report/sr';
import { simplePhantomSeries } from '../../src/synth/simplePhantom';
import { batchStudy, studyFiles } from '../support/batchStudies';
import { corpusFile } from '../support/corpus';
import { startOrthanc, type Orthanc } from '../support/orthanc.mjs';
import { startRedis, type TestRedis } from '../support/redis.mjs';

let redisServer: TestRedis;
let orthanc: Orthanc;
let address: RedisAddress;
let redis: Redis;
let queue: Queue<JobData, JobResult>;
let client: DicomWebClient;
let model: ModelRef;
const lines: string[] = [];
const nodeFetch: Fetch = batchFetch();
const deps = (worker: string): ProcessDeps => ({
  analyze: (loaded, m) => analyzeLoaded(loaded, { modelId: m.id }),
  installedVersion: (id) => installedModels().find((m) => m.manifest.id === id)?.manifest.version ?? null,
  fetch: nodeFetch,
  headers: {},
  software: 'test',
  worker,
});

const series = { ct: '', short: '', mr: '' };

beforeAll(async () => {
  [redisServer, orthanc] = await Promise.all([startRedis(), startOrthanc()]);
  address = parseRedisUrl(redisServer.url);
  redis = lucentClient(address);
  queue = new Queue(QUEUE_NAME, { connection: bullConnection(address) });
  client = new DicomWebClient(orthanc.dicomweb, nodeFetch);
  const m = installedModels().find((x) => x.manifest.task === 'detection');
  if (!m) throw new Error('no detection model installed');
  model = { id: m.manifest.id, version: m.manifest.version };
  for (const bytes of studyFiles(batchStudy('batch-unit', 1))) await orthanc.store(bytes);
  for (const s of simplePhantomSeries({
    slices: 6,
    size: 64,
    pixelSpacingMm: 0.8,
    sliceSpacingMm: 2,
    seed: 'short',
  }))
    await orthanc.store(s.bytes);
  await orthanc.store(readFileSync(corpusFile('MR_small.dcm')));
  for (const hit of await client.searchSeries({}, { limit: 10, offset: 0 })) {
    if (hit.modality === 'MR') series.mr = hit.seriesInstanceUID;
    else if ((hit.instanceCount ?? 0) > 10) series.ct = hit.seriesInstanceUID;
    else series.short = hit.seriesInstanceUID;
  }
}, 180_000);

afterAll(async () => {
  await queue?.close();
  redis?.disconnect();
  await Promise.all([redisServer?.stop(), orthanc?.stop()]);
});

async function untilComplete(id: string, timeoutMs: number): Promise<BatchStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await batchStatus(queue, redis, id);
    if (s.complete) return s;
    if (Date.now() > deadline) throw new Error(`batch not finished: ${JSON.stringify(s.counts)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('lucent batch on Redis and Orthanc', () => {
  let batchId = '';
  let worker: RunningWorker;

  it(
    'analyses the CT series, stores one SR, and skips the others with their reasons',
    { timeout: 240_000 },
    async () => {
      const request = { dicomweb: orthanc.dicomweb, query: {}, model, sr: { kind: 'stow' as const } };
      const created = await createBatch(queue, redis, client, request);
      batchId = created.meta.id;
      expect(created.meta.total).toBe(3);
      expect(created.meta.queued).toBe(3);
      worker = startWorker({
        address,
        redis,
        concurrency: 1,
        lockMs: 30_000,
        graceMs: 10_000,
        deps: deps(`${hostname()}-unit`),
        log: (l) => lines.push(l),
      });
      const status = await untilComplete(batchId, 200_000);
      expect(status.counts).toMatchObject({ done: 1, skipped: 2, failed: 0, running: 0, waiting: 0 });

      const byId = async (uid: string): Promise<JobResult> => {
        const job = await queue.getJob(jobIdFor(uid, model));
        if (!job) throw new Error('job missing');
        return job.returnvalue;
      };
      const ct = await byId(series.ct);
      expect(ct.status).toBe('done');
      expect(ct.analysis.schema).toBe('lucent.analysis/1');
      expect(ct.sr?.outcome).toBe('stored');
      expect((await byId(series.short)).reason?.code).toMatch(/slices|spacing/);
      expect((await byId(series.mr)).reason?.code).toBe('modality');

      // Exactly one SR, with the derived UIDs, in the source study.
      const uids = aiSrUids(series.ct, model);
      const [study] = ct.analysis.series.map((s) => s.studyInstanceUID);
      const srs = await client.listSeriesInstances(study ?? '', uids.seriesInstanceUID);
      expect(srs.map((r) => r.sopInstanceUID)).toEqual([uids.sopInstanceUID]);
    },
  );

  it('queues nothing for a series already done, and keeps skipped series skipped', async () => {
    const again = await createBatch(queue, redis, client, {
      dicomweb: orthanc.dicomweb,
      query: {},
      model,
      sr: { kind: 'stow' },
    });
    const ct = again.entries.find((e) => e.series === series.ct);
    expect(ct?.already).toBe(true);
    const status = await batchStatus(queue, redis, again.meta.id);
    expect(status.counts).toMatchObject({ 'already-done': 1, skipped: 2, waiting: 0, running: 0 });
    expect(status.complete).toBe(true);
    const skipped = await queue.getJob(jobIdFor(series.mr, model));
    expect(skipped?.attemptsStarted).toBe(1);
  });

  it('reports one CSV row per series', async () => {
    const csv = (await batchReport(queue, redis, batchId)).trim().split('\n');
    expect(csv).toHaveLength(4);
    const header = csv[0]?.split(',') ?? [];
    const rows = csv.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    const ct = rows.find((r) => r['series_instance_uid'] === series.ct);
    expect(ct?.['status']).toBe('done');
    expect(ct?.['model_version']).toBe(model.version);
    expect(Number(ct?.['seconds'])).toBeGreaterThan(0);
    expect(rows.filter((r) => r['status'] === 'skipped')).toHaveLength(2);
    expect(rows.find((r) => r['series_instance_uid'] === series.mr)?.['reason']).not.toBe('');
  });

  it('stores the SR once when the same series is processed again', async () => {
    const data: JobData = {
      schema: 'lucent.batch-job/1',
      dicomweb: orthanc.dicomweb,
      studyInstanceUID:
        (await client.searchSeries({ SeriesInstanceUID: series.ct }, { limit: 1, offset: 0 }))[0]
          ?.studyInstanceUID ?? '',
      seriesInstanceUID: series.ct,
      model,
      sr: { kind: 'stow' },
    };
    const r = await processJob(data, deps('again'), new AbortController().signal);
    expect(r.sr?.outcome).toBe('already-stored');
    const uids = aiSrUids(series.ct, model);
    expect(await client.listSeriesInstances(data.studyInstanceUID, uids.seriesInstanceUID)).toHaveLength(1);

    const gone = await processJob(
      { ...data, seriesInstanceUID: '1.2.3.4.5.6.7.8.9' },
      deps('gone'),
      new AbortController().signal,
    );
    expect(gone).toMatchObject({ status: 'skipped', reason: { code: 'not-found' } });

    await expect(
      processJob(
        { ...data, model: { id: model.id, version: '0.0.0-other' } },
        deps('old'),
        new AbortController().signal,
      ),
    ).rejects.toMatchObject({ code: 'model-version' });
  });

  it('stops when asked, with nothing running', async () => {
    await worker.stop('test');
    expect(lines.some((l) => l.startsWith('stopping (test)'))).toBe(true);
    expect(lines.at(-1)).toBe('stopped');
    // Logs carry job ids, never a UID.
    for (const uid of Object.values(series)) expect(lines.join('\n')).not.toContain(uid);
  });
});

/** A queue of its own (another Redis database), so these jobs never meet the batch above. */
function isolatedQueue(db: number): {
  addr: RedisAddress;
  q: Queue<JobData, JobResult>;
  r: Redis;
  close: () => Promise<void>;
} {
  const addr = { ...address, db };
  const q = new Queue<JobData, JobResult>(QUEUE_NAME, { connection: bullConnection(addr) });
  const r = lucentClient(addr);
  return {
    addr,
    q,
    r,
    close: async () => {
      await q.close();
      r.disconnect();
    },
  };
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });

describe('worker retries and stops', () => {
  it(
    'retries with exponential back-off: a passing fault heals on the third attempt, a lasting one fails the job with its reason',
    { timeout: 120_000 },
    async () => {
      const { addr, q, r, close } = isolatedQueue(1);
      const started = Date.now();
      // The PACS "goes away" for 7 s for every series, and for good for the short one.
      const flaky: Fetch = (url, init) =>
        String(url).includes(series.short) || Date.now() - started < 7000
          ? Promise.reject(new TypeError('fetch failed: connection refused'))
          : nodeFetch(url, init);
      const log: { at: number; line: string }[] = [];
      const w = startWorker({
        address: addr,
        redis: r,
        concurrency: 2,
        lockMs: 30_000,
        graceMs: 5_000,
        deps: { ...deps('flaky'), fetch: flaky },
        log: (line) => log.push({ at: Date.now(), line }),
      });
      try {
        const created = await createBatch(q, r, client, {
          dicomweb: orthanc.dicomweb,
          query: { Modality: 'CT' },
          model,
          sr: { kind: 'dir', dir: mkdtempSync(join(tmpdir(), 'lucent-retry-')) },
        });
        expect(created.meta.queued).toBe(2);
        const deadline = Date.now() + 100_000;
        let status = await batchStatus(q, r, created.meta.id);
        while (!status.complete && Date.now() < deadline) {
          await sleep(250);
          status = await batchStatus(q, r, created.meta.id);
        }
        expect(status.counts).toMatchObject({ done: 1, failed: 1, running: 0, waiting: 0 });
        const ct = await q.getJob(jobIdFor(series.ct, model));
        expect(ct?.returnvalue.status).toBe('done');
        expect(ct?.attemptsMade).toBe(3);
        const short = await q.getJob(jobIdFor(series.short, model));
        expect(await short?.getState()).toBe('failed');
        expect(short?.attemptsMade).toBe(3);
        expect(short?.failedReason).toMatch(/connection refused/);
        // Attempts of one job start 5 s, then 10 s apart (exponential back-off from 5 s).
        const starts = log.filter((l) => l.line.startsWith(`job ${ct?.id ?? ''} started`)).map((l) => l.at);
        expect(starts).toHaveLength(3);
        expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(4_500);
        expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(9_500);
        const id = short?.id ?? '';
        expect(log.map((l) => l.line).filter((l) => l.startsWith(`job ${id} failed for good: `))).toEqual([
          `job ${id} failed for good: ${short?.failedReason ?? ''}`,
        ]);
      } finally {
        await w.stop('test');
        await close();
      }
    },
  );

  it(
    'on SIGTERM finishes the running job within the grace period, or hands it back for another worker',
    { timeout: 120_000 },
    async () => {
      const { addr, q, r, close } = isolatedQueue(2);
      const slow = (name: string, ms: number): ProcessDeps => ({
        ...deps(name),
        analyze: async (loaded, m) => {
          await sleep(ms);
          return analyzeLoaded(loaded, { modelId: m.id });
        },
      });
      const log: string[] = [];
      const start = (name: string, graceMs: number, d: ProcessDeps): RunningWorker =>
        startWorker({
          address: addr,
          redis: r,
          concurrency: 1,
          lockMs: 30_000,
          graceMs,
          deps: d,
          log: (l) => log.push(`${name}: ${l}`),
        });
      const waitFor = async (pattern: RegExp): Promise<void> => {
        const deadline = Date.now() + 60_000;
        while (!log.some((l) => pattern.test(l))) {
          if (Date.now() > deadline) throw new Error(`no log line ${String(pattern)}: ${log.join(' | ')}`);
          await sleep(100);
        }
      };
      try {
        const created = await createBatch(q, r, client, {
          dicomweb: orthanc.dicomweb,
          query: { SeriesInstanceUID: series.ct },
          model,
          sr: { kind: 'dir', dir: mkdtempSync(join(tmpdir(), 'lucent-stop-')) },
        });
        expect(created.meta.queued).toBe(1);
        const id = jobIdFor(series.ct, model);
        // A: the grace period (0.5 s) is shorter than the job (analysis held 20 s): the job goes back.
        const a = start('A', 500, slow('A', 20_000));
        await waitFor(/^A: job .* started/);
        await a.stop('SIGTERM');
        expect(log).toContain(`A: job ${id} handed back to the queue`);
        const job = await q.getJob(id);
        expect(await job?.getState()).toBe('waiting');
        // B takes it and is stopped mid-job with a long grace period: it finishes the job, then stops.
        const b = start('B', 60_000, slow('B', 2_000));
        await waitFor(/^B: job .* started/);
        await b.stop('SIGTERM');
        const done = await q.getJob(id);
        expect(await done?.getState()).toBe('completed');
        expect(done?.returnvalue.worker).toBe('B');
        expect(done?.returnvalue.status).toBe('done');
        expect(log.filter((l) => l.startsWith('B: stopping'))).toHaveLength(1);
        expect(log.indexOf(`B: job ${id} done in ${done?.returnvalue.seconds.total} s`)).toBeLessThan(
          log.indexOf('B: stopped'),
        );
      } finally {
        await close();
      }
    },
  );
});

describe('batch arguments', () => {
  it('parses redis URLs and refuses others', () => {
    expect(parseRedisUrl('redis://h:7000/2')).toMatchObject({ host: 'h', port: 7000, db: 2, tls: false });
    expect(parseRedisUrl('rediss://u:p%40ss@h')).toMatchObject({
      username: 'u',
      password: 'p@ss',
      tls: true,
    });
    expect(() => parseRedisUrl('http://h')).toThrow(/redis:\/\//);
    expect(() => parseRedisUrl('redis://h/x')).toThrow(/database/);
  });

  it('passes QIDO filters through and refuses what lucent batch sets itself', () => {
    expect(parseQuery('Modality=CT&StudyDate=20260101-')).toEqual({ Modality: 'CT', StudyDate: '20260101-' });
    expect(parseQuery('00080060=CT')).toEqual({ '00080060': 'CT' });
    expect(() => parseQuery('limit=5')).toThrow(/set by lucent batch/);
    expect(() => parseQuery('Study Date=1')).toThrow(/keyword or tag/);
  });

  it('exits 2 for bad arguments and 1, with one line, when Redis does not answer', async () => {
    const run = async (argv: string[]): Promise<{ code: number; err: string }> => {
      let err = '';
      const code = await main(argv, { stdout: () => {}, stderr: (t) => (err += t) });
      return { code, err };
    };
    const noDicomweb = await run(['batch', '--queue', 'redis://127.0.0.1:1']);
    expect(noDicomweb.code).toBe(2);
    expect(noDicomweb.err).toMatch(/--dicomweb/);
    const withPassword = await run([
      'batch',
      '--dicomweb',
      'http://u:p@pacs/dicom-web',
      '--queue',
      'redis://h',
    ]);
    expect(withPassword.code).toBe(2);
    expect(withPassword.err).toMatch(/LUCENT_DICOMWEB_AUTHORIZATION/);
    expect(withPassword.err).not.toContain('u:p');
    const away = await run(['batch', 'status', 'b1', '--queue', 'redis://127.0.0.1:1']);
    expect(away.code).toBe(1);
    expect(away.err.trim().split('\n')).toEqual([
      'lucent: Redis at 127.0.0.1:1 does not answer; check --queue and that redis-server is running.',
    ]);
  });

  it('derives one job id per series and model version', () => {
    const a = jobIdFor('1.2.3', { id: 'm', version: '1' });
    expect(a).toMatch(/^j[0-9a-f]{32}$/);
    expect(jobIdFor('1.2.3', { id: 'm', version: '1' })).toBe(a);
    expect(jobIdFor('1.2.3', { id: 'm', version: '2' })).not.toBe(a);
  });
});
