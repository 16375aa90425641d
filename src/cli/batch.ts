/**
 * `lucent batch`, `lucent batch status|report` and `lucent worker`: archive-scale analysis on BullMQ and
 * Redis (src/batch/). This file wires the Node host into it: the installed models, `analyzeLoaded`,
 * fetch with a timeout, signals, and the progress display.
 */
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { installedModels } from '../ai/node/models';
import { createBatch, parseQuery } from '../batch/enqueue';
import { batchFetch } from '../batch/http';
import { progressHeading, progressLine } from '../batch/progress';
import {
  bullConnection,
  describeAddress,
  lucentClient,
  parseRedisUrl,
  ping,
  type RedisAddress,
} from '../batch/redis';
import { batchReport, batchStatus, type BatchStatus } from '../batch/status';
import { QUEUE_NAME, type JobData, type JobResult, type ModelRef, type SrTarget } from '../batch/types';
import { startWorker } from '../batch/worker';
import { DicomWebClient, normaliseBase } from '../dicom/dicomweb';
import { LucentError, messageOf } from '../lib/errors';
import { analyzeLoaded } from './analyze';
import { numberOption, parseArgs } from './args';
import type { Io } from './main';
import { version } from './version';

const fetchWithTimeout = batchFetch();

/** DICOMweb credentials come from the environment, so they never travel in job data. */
function dicomwebHeaders(): Record<string, string> {
  const auth = process.env['LUCENT_DICOMWEB_AUTHORIZATION'];
  return auth ? { Authorization: auth } : {};
}

function queueAddress(option: string | true | undefined): RedisAddress {
  const url = typeof option === 'string' ? option : process.env['LUCENT_QUEUE'];
  if (!url) throw new LucentError('bad-arguments', 'give the Redis address with --queue redis://HOST:PORT');
  return parseRedisUrl(url);
}

function dicomwebUrl(option: string | true | undefined): string {
  if (typeof option !== 'string') throw new LucentError('bad-arguments', 'batch needs --dicomweb URL');
  let u: URL;
  try {
    u = new URL(option);
  } catch {
    throw new LucentError('bad-arguments', `--dicomweb must be an http(s) URL (got "${option}")`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new LucentError('bad-arguments', `--dicomweb must be an http(s) URL (got ${u.protocol})`);
  }
  if (u.username || u.password) {
    throw new LucentError(
      'bad-arguments',
      '--dicomweb must not hold credentials (they would be stored in every job); set LUCENT_DICOMWEB_AUTHORIZATION on the batch and the workers instead',
    );
  }
  return normaliseBase(option);
}

function chooseBatchModel(id: string | true | undefined): ModelRef {
  const models = installedModels().filter((m) =>
    typeof id === 'string' ? m.manifest.id === id : m.manifest.task === 'detection',
  );
  const m = models[0];
  if (!m) {
    throw new LucentError(
      'bad-arguments',
      typeof id === 'string' ? `No installed model is called ${id}.` : 'No detection model is installed.',
    );
  }
  return { id: m.manifest.id, version: m.manifest.version };
}

function srTarget(option: string | true | undefined): SrTarget {
  if (option === undefined || option === 'stow') return { kind: 'stow' };
  if (option === true || option === '') throw new LucentError('bad-arguments', '--sr needs stow or a folder');
  return { kind: 'dir', dir: resolve(option) };
}

interface Connections {
  readonly address: RedisAddress;
  readonly redis: Redis;
  readonly queue: Queue<JobData, JobResult>;
  close(): Promise<void>;
}

/** Lucent's own client of the Redis at `--queue`, once it answers (throws with a one-line reason). */
async function redisAt(option: string | true | undefined): Promise<{ address: RedisAddress; redis: Redis }> {
  const address = queueAddress(option);
  const redis = lucentClient(address);
  redis.on('error', () => {});
  try {
    await ping(redis, address);
  } catch (e) {
    redis.disconnect();
    throw e;
  }
  return { address, redis };
}

async function connect(option: string | true | undefined): Promise<Connections> {
  const { address, redis } = await redisAt(option);
  const queue = new Queue<JobData, JobResult>(QUEUE_NAME, { connection: bullConnection(address) });
  queue.on('error', () => {});
  return {
    address,
    redis,
    queue,
    close: async () => {
      await queue.close();
      redis.disconnect();
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Show progress until the batch is complete; survives Redis going away for a while. */
async function waitFor(c: Connections, id: string, io: Io, tty: boolean): Promise<BatchStatus> {
  let last = '';
  let lastPrinted = 0;
  let headed = false;
  let away = false;
  for (;;) {
    let status: BatchStatus;
    try {
      status = await batchStatus(c.queue, c.redis, id);
    } catch (e) {
      if (e instanceof LucentError && e.code === 'no-such-batch') throw e;
      if (!away)
        io.stderr(
          `${tty ? '\n' : ''}lucent: Redis at ${describeAddress(c.address)} does not answer; waiting for it\n`,
        );
      away = true;
      await sleep(1000);
      continue;
    }
    if (away) io.stderr('lucent: Redis is back; the batch goes on\n');
    away = false;
    if (!headed) io.stderr(`lucent: ${progressHeading(status)}\n`);
    headed = true;
    const line = progressLine(status);
    const counts = line.split('·')[0] ?? line;
    if (tty) io.stderr(`\r\x1b[2K${line}`);
    else if (counts !== last || Date.now() - lastPrinted > 30_000 || status.complete) {
      io.stderr(`${line}\n`);
      lastPrinted = Date.now();
    }
    last = counts;
    if (status.complete) {
      if (tty) io.stderr('\n');
      return status;
    }
    await sleep(1000);
  }
}

async function create(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['dicomweb', 'queue', 'query', 'model', 'sr'], flags: ['wait'] });
  if (args.positionals.length > 0)
    throw new LucentError('bad-arguments', `unexpected argument "${args.positionals[0]}"`);
  const dicomweb = dicomwebUrl(args.options.get('dicomweb'));
  const query = parseQuery(
    typeof args.options.get('query') === 'string' ? (args.options.get('query') as string) : undefined,
  );
  const model = chooseBatchModel(args.options.get('model'));
  const sr = srTarget(args.options.get('sr'));
  const c = await connect(args.options.get('queue'));
  try {
    const client = new DicomWebClient(dicomweb, fetchWithTimeout, dicomwebHeaders());
    const { meta } = await createBatch(c.queue, c.redis, client, { dicomweb, query, model, sr }, (line) =>
      io.stderr(`lucent: ${line}\n`),
    );
    if (args.options.get('wait') !== true) {
      io.stdout(
        `${JSON.stringify({ schema: meta.schema, batch: meta.id, series: meta.total, queued: meta.queued, alreadyDone: meta.already, model })}\n`,
      );
      return 0;
    }
    const status = await waitFor(c, meta.id, io, process.stderr.isTTY === true);
    io.stdout(`${JSON.stringify(status, null, 2)}\n`);
    return status.counts.failed > 0 ? 1 : 0;
  } finally {
    await c.close();
  }
}

async function statusCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['queue'], flags: [] });
  const [id] = args.positionals;
  if (!id) throw new LucentError('bad-arguments', 'batch status needs a batch id');
  const c = await connect(args.options.get('queue'));
  try {
    io.stdout(`${JSON.stringify(await batchStatus(c.queue, c.redis, id), null, 2)}\n`);
    return 0;
  } finally {
    await c.close();
  }
}

async function reportCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['queue', 'out'], flags: [] });
  const [id] = args.positionals;
  if (!id) throw new LucentError('bad-arguments', 'batch report needs a batch id');
  const c = await connect(args.options.get('queue'));
  try {
    const csv = await batchReport(c.queue, c.redis, id);
    const out = args.options.get('out');
    if (typeof out === 'string') await writeFile(out, csv);
    else io.stdout(csv);
    return 0;
  } finally {
    await c.close();
  }
}

/** `lucent batch …`: create (default), `status ID`, `report ID`. */
export async function batch(argv: readonly string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'status') return await statusCommand(rest, io);
    if (sub === 'report') return await reportCommand(rest, io);
    return await create(argv, io);
  } catch (e) {
    if (e instanceof LucentError && e.code !== 'bad-arguments') {
      io.stderr(`lucent: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** `lucent worker`: take jobs until SIGTERM/SIGINT. */
export async function worker(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, {
    values: ['queue', 'concurrency', 'lock-timeout', 'grace', 'name'],
    flags: [],
  });
  const concurrency = numberOption(args, 'concurrency', 1, 64) ?? 1;
  const lockMs = (numberOption(args, 'lock-timeout', 5, 3600) ?? 60) * 1000;
  const graceMs = (numberOption(args, 'grace', 0, 86_400) ?? 120) * 1000;
  const nameOption = args.options.get('name');
  const name = typeof nameOption === 'string' ? nameOption : `${hostname()}-${process.pid}`;
  let connected: Awaited<ReturnType<typeof redisAt>>;
  try {
    connected = await redisAt(args.options.get('queue'));
  } catch (e) {
    io.stderr(`lucent: ${messageOf(e)}\n`);
    return 1;
  }
  const { address, redis } = connected;
  const log = (line: string): void => io.stderr(`lucent worker ${name}: ${line}\n`);
  const models = (): ReturnType<typeof installedModels> => installedModels();
  const running = startWorker({
    address,
    redis,
    concurrency,
    lockMs,
    graceMs,
    log,
    deps: {
      analyze: (loaded, model) => analyzeLoaded(loaded, { modelId: model.id }),
      installedVersion: (id) => models().find((m) => m.manifest.id === id)?.manifest.version ?? null,
      fetch: fetchWithTimeout,
      headers: dicomwebHeaders(),
      software: version,
      worker: name,
    },
  });
  log(`waiting for jobs on ${describeAddress(address)} (concurrency ${concurrency})`);
  const onSignal = (signal: NodeJS.Signals): void => {
    void running.stop(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await running.closed;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  redis.disconnect();
  return 0;
}
