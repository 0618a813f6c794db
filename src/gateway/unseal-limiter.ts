/**
 * Back-off and lockout for POST /_keywarden/unseal, per peer address. After the n-th failed
 * attempt the peer must wait `baseDelayMs * 2^(n-1)` (capped at `maxDelayMs`) before the next;
 * after `maxFailures` failures in a row it is locked out for `lockoutMs` (and failures are
 * forgotten once a peer has been quiet that long after its last delay). One attempt per peer
 * runs at a time (a passphrase check takes a few hundred ms of scrypt: parallel guesses would
 * otherwise all start before the first failure is counted). A success clears the peer.
 */
import type { Clock } from '../core/index.js';

export interface UnsealLimits {
  baseDelayMs: number;
  maxDelayMs: number;
  maxFailures: number;
  lockoutMs: number;
}

export const DEFAULT_UNSEAL_LIMITS: Readonly<UnsealLimits> = Object.freeze({
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxFailures: 5,
  lockoutMs: 15 * 60_000,
});

export interface UnsealLimiter {
  /** Start an attempt: `{ ok: true }`, or how long the peer must wait. */
  begin(peer: string): { ok: true } | { ok: false; retryAfterSeconds: number };
  /** End the attempt `begin` allowed. */
  end(peer: string, succeeded: boolean): void;
}

interface PeerState {
  failures: number;
  /** No attempt before this time (ms since the epoch). */
  notBefore: number;
  inFlight: boolean;
}

/** Peers are loopback addresses only (the route refuses others first), so the map stays tiny. */
const MAX_PEERS = 1024;

export function createUnsealLimiter(
  clock: Clock,
  limits: UnsealLimits = DEFAULT_UNSEAL_LIMITS,
): UnsealLimiter {
  const peers = new Map<string, PeerState>();
  return {
    begin(peer) {
      const now = clock.now();
      let state = peers.get(peer);
      if (state?.inFlight) return { ok: false, retryAfterSeconds: 1 };
      if (state && now < state.notBefore)
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((state.notBefore - now) / 1000)) };
      // A peer quiet for a whole lockout period after its last delay starts from zero again.
      if (state && now >= state.notBefore + limits.lockoutMs) state.failures = 0;
      if (!state) {
        if (peers.size >= MAX_PEERS) peers.clear();
        state = { failures: 0, notBefore: 0, inFlight: false };
        peers.set(peer, state);
      }
      state.inFlight = true;
      return { ok: true };
    },
    end(peer, succeeded) {
      const state = peers.get(peer);
      if (!state) return;
      state.inFlight = false;
      if (succeeded) {
        peers.delete(peer);
        return;
      }
      state.failures += 1;
      const now = clock.now();
      if (state.failures >= limits.maxFailures) {
        // Locked out; the count starts again once the lockout has passed.
        state.failures = 0;
        state.notBefore = now + limits.lockoutMs;
        return;
      }
      state.notBefore = now + Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** (state.failures - 1));
    },
  };
}
