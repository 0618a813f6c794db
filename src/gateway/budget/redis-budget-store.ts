/**
 * The budget state in Redis, shared by every gateway instance that names the same Redis: each
 * call is one Lua script, so a take is all-or-nothing across instances. Window counts live under
 * `<prefix><counter>:<window start>` and expire after their window; draining counters as a hash
 * (value, last update); stops as `<prefix>stop:<key>` holding the time they lift. Keys are built
 * inside the scripts from the counter keys passed in: one Redis (or one primary), not a cluster.
 * A Redis that does not answer within `timeoutMs` rejects the call: the budgets fail closed.
 */
import { openFailFastRedis } from '../redis-connection.js';
import type { BudgetStore, Charge, CounterSpec, TakeResult } from './budget-store.js';

/** Shared by the scripts: the current count of counter `i` (ARGV layout: kind, windowMs, cap, rate, units). */
const CURRENT = `
local function current(base, kind, windowMs, rate, now)
  if kind == 'window' then
    local start = math.floor(now / windowMs) * windowMs
    local k = base .. ':' .. start
    return tonumber(redis.call('GET', k) or '0'), k, start
  end
  local v = redis.call('HMGET', base, 'v', 't')
  local used = tonumber(v[1] or '0')
  local t = tonumber(v[2] or tostring(now))
  used = math.max(0, used - math.max(0, (now - t) / 1000 * rate))
  return used, base, now
end
`;

/** KEYS: stop keys, then counter bases. ARGV: now, #stops, then 5 per counter. */
const TAKE = `${CURRENT}
local now = tonumber(ARGV[1])
local nstops = tonumber(ARGV[2])
for i = 1, nstops do
  local until_ = tonumber(redis.call('GET', KEYS[i]) or '0')
  if until_ > now then return {0, until_ - now, 1, i} end
end
local plan = {}
for i = nstops + 1, #KEYS do
  local a = 3 + (i - nstops - 1) * 5
  local kind, windowMs, cap, rate, units = ARGV[a], tonumber(ARGV[a+1]), tonumber(ARGV[a+2]), tonumber(ARGV[a+3]), tonumber(ARGV[a+4])
  local used, k, start = current(KEYS[i], kind, windowMs, rate, now)
  if used + units > cap then
    local wait
    if kind == 'window' then wait = start + windowMs - now
    elseif rate > 0 and units <= cap then wait = math.ceil((used + units - cap) / rate * 1000)
    else wait = windowMs end
    return {0, math.max(1, wait), 0, i}
  end
  plan[#plan + 1] = {kind, k, used + units, windowMs, units}
end
local out = {1}
for _, p in ipairs(plan) do
  if p[1] == 'window' then
    redis.call('INCRBY', p[2], p[5])
    redis.call('PEXPIRE', p[2], p[4] + 1000)
  else
    redis.call('HSET', p[2], 'v', tostring(p[3]), 't', tostring(now))
    redis.call('PEXPIRE', p[2], p[4] * 2)
  end
  out[#out + 1] = math.ceil(p[3])
end
return out
`;

/** KEYS: counter bases. ARGV: now, then 5 per counter (units = what to give back). */
const GIVE_BACK = `${CURRENT}
local now = tonumber(ARGV[1])
for i = 1, #KEYS do
  local a = 2 + (i - 1) * 5
  local kind, windowMs, rate, units = ARGV[a], tonumber(ARGV[a+1]), tonumber(ARGV[a+3]), tonumber(ARGV[a+4])
  local used, k = current(KEYS[i], kind, windowMs, rate, now)
  local left = math.max(0, used - units)
  if kind == 'window' then
    if redis.call('EXISTS', k) == 1 then redis.call('SET', k, tostring(left), 'KEEPTTL') end
  else
    redis.call('HSET', k, 'v', tostring(left), 't', tostring(now))
  end
end
return 1
`;

/** KEYS[1]: counter base. ARGV: now, kind, windowMs, rate, used. */
const OBSERVE = `${CURRENT}
local now, kind, windowMs, rate, seen = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local used, k, start = current(KEYS[1], kind, windowMs, rate, now)
if seen <= used then return 0 end
if kind == 'window' then
  redis.call('SET', k, tostring(seen), 'PX', start + windowMs - now + 1000)
else
  redis.call('HSET', k, 'v', tostring(seen), 't', tostring(now))
  redis.call('PEXPIRE', k, windowMs * 2)
end
return 1
`;

/** KEYS[1]: stop key. ARGV: until, now. Returns the stop in force. */
const STOP = `
local until_, now = tonumber(ARGV[1]), tonumber(ARGV[2])
local prev = tonumber(redis.call('GET', KEYS[1]) or '0')
local next_ = math.max(prev, until_)
redis.call('SET', KEYS[1], tostring(next_), 'PX', math.max(1, next_ - now))
return next_
`;

export interface RedisBudgetStoreOptions {
  /** redis://host:port (credentials in the URL are never quoted in an error). */
  url: string;
  /** Longest one call may take, ms. */
  timeoutMs: number;
  /** Prefix of every key (default `kw:budget:`). */
  prefix?: string;
}

export interface RedisBudgetStore extends BudgetStore {
  /** Resolves once connected (rejects when Redis cannot be reached within the timeout). */
  ready(): Promise<void>;
  ping(): Promise<boolean>;
}

export function createRedisBudgetStore(options: RedisBudgetStoreOptions): RedisBudgetStore {
  const prefix = options.prefix ?? 'kw:budget:';
  const connection = openFailFastRedis(options.url, options.timeoutMs);
  const { redis } = connection;

  const counterArgs = (c: CounterSpec, units: number) => [
    c.kind,
    String(c.windowMs),
    String(c.cap),
    String(c.decayPerSecond ?? 0),
    String(units),
  ];
  const eval_ = (script: string, keys: string[], args: string[]) =>
    redis.eval(script, keys.length, ...keys, ...args) as Promise<unknown>;

  return {
    ready: connection.ready,

    async take(charges: readonly Charge[], stops: readonly string[], now: number): Promise<TakeResult> {
      const keys = [
        ...stops.map((s) => `${prefix}stop:${s}`),
        ...charges.map((c) => `${prefix}${c.counter.key}`),
      ];
      const args = [
        String(now),
        String(stops.length),
        ...charges.flatMap((c) => counterArgs(c.counter, c.units)),
      ];
      const r = (await eval_(TAKE, keys, args)) as number[];
      if (r[0] === 1) return { ok: true, used: r.slice(1) };
      const i = (r[3] ?? 1) - 1;
      const stopped = r[2] === 1;
      const key = stopped ? (stops[i] ?? '') : (charges[i - stops.length]?.counter.key ?? '');
      return { ok: false, retryAfterMs: Number(r[1]), stopped, key };
    },

    async giveBack(charges, now) {
      if (charges.length === 0) return;
      await eval_(
        GIVE_BACK,
        charges.map((c) => `${prefix}${c.counter.key}`),
        [String(now), ...charges.flatMap((c) => counterArgs(c.counter, c.units))],
      );
    },

    async observe(counter, used, now) {
      await eval_(
        OBSERVE,
        [`${prefix}${counter.key}`],
        [
          String(now),
          counter.kind,
          String(counter.windowMs),
          String(counter.decayPerSecond ?? 0),
          String(used),
        ],
      );
    },

    async stop(key, until, now) {
      return Number(await eval_(STOP, [`${prefix}stop:${key}`], [String(until), String(now)]));
    },

    ping: connection.ping,
    close: connection.close,
  };
}
