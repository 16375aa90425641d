export const REDIS_BIN: string;
export interface TestRedis {
  port: number;
  url: string;
  /** Stop Redis (SIGTERM: it writes its append-only file) and start it again on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}
export function startRedis(): Promise<TestRedis>;
