/**
 * The Redis connection the shared counters use (rate limits, rate budgets): a call fails fast
 * instead of queueing (no offline queue, no retries per request, a command timeout), so the
 * caller can fail closed within its own time limit; the connection itself keeps reconnecting.
 */
import { Redis } from 'ioredis';

export interface FailFastRedis {
  readonly redis: Redis;
  /** Resolves once connected (rejects when Redis cannot be reached within 2 s). */
  ready(): Promise<void>;
  /** True when Redis answers a PING (readiness). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function openFailFastRedis(url: string, timeoutMs: number): FailFastRedis {
  const redis = new Redis(url, {
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(timeoutMs, 1_000),
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  // Connection errors surface as rejected calls; the event would otherwise be an unhandled error.
  redis.on('error', () => {});
  return {
    redis,
    ready: () =>
      redis.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('redis did not become ready')), 2_000);
            redis.once('ready', () => {
              clearTimeout(timer);
              resolve();
            });
          }),
    ping: () =>
      redis
        .ping()
        .then((r) => r === 'PONG')
        .catch(() => false),
    async close() {
      redis.disconnect();
    },
  };
}
