/**
 * Denials of requests that name no known client (unknown keys, missing credentials, probes,
 * the pre-authentication limit) are attacker-controlled volume: one audit record each would
 * let anyone grow the log and load the store at will. The first such denial per source IP and
 * minute is recorded in full; the rest of that minute are counted and written as one summary
 * record (`rule: unauthenticated`, `detail.count`) when the minute is over.
 */
export interface DenialAggregator {
  /** True when this denial should be recorded in full; false when it was only counted. */
  admit(sourceIp: string, exchange: string): boolean;
  /** The summaries of minutes that are over (all of them when `all`), to append to the log. */
  drain(all?: boolean): DenialSummary[];
}

export interface DenialSummary {
  sourceIp: string;
  exchange: string;
  /** Start of the minute, ms since the epoch. */
  minute: number;
  /** Denials counted beyond the one recorded in full. */
  count: number;
}

const MINUTE_MS = 60_000;

export function createDenialAggregator(now: () => number): DenialAggregator {
  const open = new Map<string, DenialSummary>();
  return {
    admit(sourceIp, exchange) {
      const minute = Math.floor(now() / MINUTE_MS) * MINUTE_MS;
      const k = `${sourceIp}\u0000${exchange}`;
      const entry = open.get(k);
      if (entry && entry.minute === minute) {
        entry.count += 1;
        return false;
      }
      // A new minute for this source: the old entry (if any) is drained on the next tick.
      if (entry && entry.count > 0) open.set(`${k}\u0000${entry.minute}`, entry);
      open.set(k, { sourceIp, exchange, minute, count: 0 });
      return true;
    },
    drain(all = false) {
      const minute = Math.floor(now() / MINUTE_MS) * MINUTE_MS;
      const out: DenialSummary[] = [];
      for (const [k, e] of open) {
        if (!all && e.minute >= minute) continue;
        open.delete(k);
        if (e.count > 0) out.push(e);
      }
      return out;
    },
  };
}
