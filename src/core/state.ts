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

/**
 * A nonce drawn from a sequence several processes share (PostgreSQL), held until the request
 * it signs was answered: the next draw for the same key, in any process, waits for `release`,
 * so the exchange receives the key's nonces in the order they were drawn (Kraken refuses a
 * nonce below one it already saw, so a draw that overtook another in flight would fail).
 */
export interface NonceLease extends NonceSource {
  /** Let the next draw of this key proceed; idempotent. */
  release(): void;
}

/** A nonce source whose draws can also be leased (shared sequences); `next()` alone does not order across processes. */
export interface LeasingNonceSource extends NonceSource {
  lease(): Promise<NonceLease>;
}

/**
 * Policy usage several gateway processes share (PostgreSQL): a client's usage is read and
 * reserved under one lock per client that every process takes, so a cap holds across them.
 */
export interface SharedUsage {
  /**
   * Take the client's usage lock (waiting for any other holder, in any process) and read its
   * usage: the daily amounts of UTC day `day` and the order times after `since` (ms).
   */
  hold(clientId: string, day: number, since: number): Promise<UsageHold>;
  /** One atomic increment outside a hold (giving a reservation back). */
  add(clientId: string, day: number, item: string, delta: number): Promise<void>;
  /** The same for `count` orders at `at` (negative: given back). */
  addOrders(clientId: string, at: number, count: number): Promise<void>;
}

export interface UsageHold {
  amounts: Array<{ item: string; amount: number }>;
  orderTimes: number[];
  /** Queue an amount (daily `item`) for the commit. */
  add(day: number, item: string, delta: number): void;
  /** Queue `count` orders at `at` for the commit. */
  addOrders(at: number, count: number): void;
  /** Write what was queued and release the lock. */
  commit(): Promise<void>;
  /** Write nothing and release the lock. */
  abort(): Promise<void>;
}
