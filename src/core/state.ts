/**
 * Durable state the gateway owns and the store keeps: interfaces here, so the store implements
 * them without depending on the exchanges or the policy that use them.
 */

/** Per-exchange-key monotonic state the gateway owns (Kraken's nonce sequence). */
export interface NonceSource {
  /** Next strictly increasing nonce for this key, as a decimal string. */
  next(): string;
}

/** Remembers the highest nonce seen per client key (Kraken); shared across gateway requests. */
export interface NonceLedger {
  /** Atomically accept `nonce` for `apiKey` if it is greater than every earlier one. */
  accept(apiKey: string, nonce: bigint): boolean;
}

/** Durable daily amounts, written synchronously (better-sqlite3) so reserve stays atomic. */
export interface UsagePersistence {
  /** Every amount recorded for UTC day `day` (days since the epoch). */
  load(day: number): Array<{ clientId: string; item: string; amount: number }>;
  add(clientId: string, day: number, item: string, delta: number): void;
}
