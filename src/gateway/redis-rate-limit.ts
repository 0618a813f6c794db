/**
 * The rate-limit buckets in Redis, shared by every gateway instance naming the same Redis: one
 * Lua script per take, so reading the bucket, refilling it and taking from it is one atomic step
 * across instances (two instances can never both spend the last token). A bucket is the hash
 * `<prefix><key>` (tokens, time of the last take) expiring once it would be full again, so idle
 * clients cost no memory. Time is the caller's clock (as the budget store's) and never runs
 * backwards inside a bucket: an instance whose clock lags refills nothing rather than un-spending.
 * A Redis that does not answer within `timeoutMs` rejects the take: the limiter decides (closed by
 * default). One Redis (or one primary), not a cluster.
 */

import type { RateLimitStore } from './rate-limit.js';
import { openFailFastRedis } from './redis-connection.js';

/** KEYS[1]: the bucket. ARGV: now (ms), perSecond, burst, cost. Returns 1 when taken. */
const TAKE = `
local now, rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local v = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(v[1]), tonumber(v[2])
if tokens == nil or at == nil then
  tokens, at = burst, now
end
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
if now > at then at = now end
local taken = 0
if tokens >= cost then
  tokens = tokens - cost
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return taken
`;

export interface RedisRateLimitStoreOptions {
  /** redis://host:port (credentials in the URL are never quoted in an error). */
  url: string;
  /** Longest one take may take, ms. */
  timeoutMs: number;
  /** Prefix of every key (default `kw:limit:`). */
  prefix?: string;
}

export interface RedisRateLimitStore extends RateLimitStore {
  /** Resolves once connected (rejects when Redis cannot be reached within 2 s). */
  ready(): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export function createRedisRateLimitStore(options: RedisRateLimitStoreOptions): RedisRateLimitStore {
  const prefix = options.prefix ?? 'kw:limit:';
  const connection = openFailFastRedis(options.url, options.timeoutMs);
  const { redis } = connection;
  return {
    ready: connection.ready,
    async take(key, perSecond, burst, cost, now) {
      const r = await redis.eval(
        TAKE,
        1,
        `${prefix}${key}`,
        String(now),
        String(perSecond),
        String(burst),
        String(cost),
      );
      return Number(r) === 1;
    },
    ping: connection.ping,
    close: connection.close,
  };
}
