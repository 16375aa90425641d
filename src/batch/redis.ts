/**
 * Redis for the batch: the `redis://` address, BullMQ's connection options, Lucent's own client, and the
 * job ids (derived from the series and the model version, so a series is one job per model version
 * however often it is queued).
 */
import { Redis } from 'ioredis';
import { LucentError } from '../lib/errors';
import { toHex } from '../lib/hash';
import { sha256 } from '../lib/sha256';
import type { ModelRef } from './types';

export interface RedisAddress {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

/** Parse `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS). */
export function parseRedisUrl(url: string): RedisAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LucentError('bad-arguments', `--queue must be a redis:// URL (got "${url}")`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new LucentError('bad-arguments', `--queue must be a redis:// or rediss:// URL (got ${u.protocol})`);
  }
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) {
    throw new LucentError('bad-arguments', `the Redis database in --queue must be a number (got "${db}")`);
  }
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db: db === '' ? 0 : Number(db),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    tls: u.protocol === 'rediss:',
  };
}

/** "host:port" for messages (never the password). */
export function describeAddress(a: RedisAddress): string {
  return `${a.host}:${a.port}${a.db ? `/${a.db}` : ''}`;
}

/** Connection options for BullMQ (it makes its own clients, reconnecting forever). */
export function bullConnection(a: RedisAddress): {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: Record<string, never>;
} {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    ...(a.username ? { username: a.username } : {}),
    ...(a.password ? { password: a.password } : {}),
    ...(a.tls ? { tls: {} } : {}),
  };
}

/**
 * Lucent's own client (batch records, outcomes). It reconnects after Redis restarts; a command made while
 * Redis is away fails after a few seconds instead of hanging, so callers can say so and retry.
 */
export function lucentClient(a: RedisAddress): Redis {
  return new Redis({
    ...bullConnection(a),
    maxRetriesPerRequest: 3,
    connectTimeout: 5000,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: false,
  });
}

/** Fail with one clear line when Redis does not answer. */
export async function ping(client: Redis, a: RedisAddress, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
      }),
    ]);
  } catch {
    throw new LucentError(
      'queue-unreachable',
      `Redis at ${describeAddress(a)} does not answer; check --queue and that redis-server is running.`,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** The job id of a series for a model version: 'j' and 32 hex digits of SHA-256 (no UID in the id). */
export function jobIdFor(seriesInstanceUID: string, model: ModelRef): string {
  const digest = sha256(new TextEncoder().encode(`${seriesInstanceUID}|${model.id}|${model.version}`));
  return `j${toHex(digest.subarray(0, 16))}`;
}
