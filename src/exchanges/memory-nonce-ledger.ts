import type { NonceLedger, NonceSource } from './adapter.js';

/** In-process ledger of the highest nonce accepted per client key. */
export function createMemoryNonceLedger(): NonceLedger {
  const highest = new Map<string, bigint>();
  return {
    accept(apiKey, nonce) {
      const last = highest.get(apiKey);
      if (last !== undefined && nonce <= last) return false;
      highest.set(apiKey, nonce);
      return true;
    },
  };
}

/**
 * A strictly increasing nonce sequence (microsecond-scale, seeded from the clock) for one
 * exchange key, in memory: only for a process without a store (tests, benchmarks). `serve` and
 * the CLI draw from the store's sequences (src/store/nonce-sequence.ts), which every process
 * shares, so Kraken never sees a key's nonce go backwards.
 */
export function createNonceSource(now: () => number, start?: bigint): NonceSource {
  let last = start ?? 0n;
  return {
    next() {
      const candidate = BigInt(Math.floor(now())) * 1000n;
      last = candidate > last ? candidate : last + 1n;
      return last.toString();
    },
  };
}
