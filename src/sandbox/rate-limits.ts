/**
 * The emulated exchanges' own rate-limit state, per sandbox (never module-global): fixed-window
 * counts per IP (or key), when an IP was told to back off and how often it ignored that, bans,
 * and injected faults (`POST /_sandbox/fault`: the next N answers are a 429 or 418 with
 * Retry-After, as an exchange under load would give).
 */

export interface SandboxRateLimitOptions {
  /** Binance request weight per IP per minute (Binance: 6000; tests set it low). */
  weightPerMinute?: number;
  /** Requests an IP may send during a 429's Retry-After before it is banned with 418. */
  ignoredBeforeBan?: number;
  /** How long a 418 ban lasts (Binance: from 2 minutes, growing for repeat offenders). */
  banSeconds?: number;
}

export interface SandboxFault {
  exchange: string;
  status: 429 | 418;
  retryAfterSeconds: number;
}

export interface SandboxRateLimits {
  readonly weightPerMinute: number;
  readonly ignoredBeforeBan: number;
  readonly banSeconds: number;
  /** Add `units` to `key`'s count in the window `now` falls in; the count after adding. */
  spend(key: string, windowMs: number, units: number, now: number): number;
  /** The IP was refused: it must not send again before `untilMs`. */
  refused(ip: string, untilMs: number): void;
  /** Until when `ip` is banned (after ignoring refusals), or undefined; counts a request sent while it should back off. */
  admit(ip: string, now: number): { bannedUntil?: number };
  inject(fault: SandboxFault, count: number): void;
  takeFault(exchange: string): SandboxFault | undefined;
}

export function createSandboxRateLimits(options: SandboxRateLimitOptions = {}): SandboxRateLimits {
  const counts = new Map<string, { start: number; used: number }>();
  const backoff = new Map<string, { until: number; ignored: number }>();
  const bans = new Map<string, number>();
  const faults: SandboxFault[] = [];
  const banSeconds = options.banSeconds ?? 120;
  const ignoredBeforeBan = options.ignoredBeforeBan ?? 3;
  return {
    weightPerMinute: options.weightPerMinute ?? 6_000,
    ignoredBeforeBan,
    banSeconds,
    spend(key, windowMs, units, now) {
      const start = Math.floor(now / windowMs) * windowMs;
      const c = counts.get(key);
      const next = c && c.start === start ? c : { start, used: 0 };
      next.used += units;
      counts.set(key, next);
      return next.used;
    },
    refused(ip, until) {
      const b = backoff.get(ip);
      backoff.set(ip, { until: Math.max(until, b?.until ?? 0), ignored: b?.ignored ?? 0 });
    },
    admit(ip, now) {
      const banned = bans.get(ip);
      if (banned !== undefined && banned > now) return { bannedUntil: banned };
      const b = backoff.get(ip);
      if (!b || b.until <= now) return {};
      b.ignored++;
      if (b.ignored < ignoredBeforeBan) return {};
      const until = now + banSeconds * 1000;
      bans.set(ip, until);
      backoff.delete(ip);
      return { bannedUntil: until };
    },
    inject(fault, count) {
      for (let i = 0; i < count; i++) faults.push(fault);
    },
    takeFault(exchange) {
      const i = faults.findIndex((f) => f.exchange === exchange);
      if (i === -1) return undefined;
      return faults.splice(i, 1)[0];
    },
  };
}
