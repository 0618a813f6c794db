/**
 * Login back-off and lockout, per account and per source IP. Each failure counts against both
 * subjects; from the second failure on a subject waits `base · 2^(n-2)` (capped at 30 s) before
 * its next try, and after `lockoutAfter` failures it is locked for `lockoutMs`. Failures older
 * than `lockoutMs` are forgotten. A success clears the account's counter, not the IP's: one
 * valid account must not launder guesses at others from the same address.
 */

import type { OperatorsConfig } from './operator-types.js';
import type { OperatorsStore } from './operators-store.js';

const MAX_BACKOFF_MS = 30_000;

export interface FailureOutcome {
  /** This failure locked the subject (the alert is critical). */
  lockedNow: string[];
  count: { account: number; ip: number };
}

export function createBruteForce(store: OperatorsStore, config: OperatorsConfig) {
  const subjects = (name: string, ip: string) => ({ account: `account:${name}`, ip: `ip:${ip}` });

  async function countOf(subject: string, now: number): Promise<{ count: number; blockedUntil: number }> {
    const row = await store.failure(subject);
    if (!row || now - row.last_at > config.lockoutMs) return { count: 0, blockedUntil: 0 };
    return { count: row.count, blockedUntil: row.blocked_until };
  }

  async function fail(
    subject: string,
    limit: number,
    now: number,
  ): Promise<{ count: number; locked: boolean }> {
    const count = (await countOf(subject, now)).count + 1;
    const locked = count >= limit;
    const wait = locked
      ? config.lockoutMs
      : count >= 2
        ? Math.min(config.backoffBaseMs * 2 ** (count - 2), MAX_BACKOFF_MS)
        : 0;
    await store.putFailure({ subject, count, last_at: now, blocked_until: now + wait });
    return { count, locked };
  }

  return {
    /** True while either subject must wait (back-off or lockout): the login is refused unchecked. */
    async blocked(name: string, ip: string, now: number): Promise<boolean> {
      const s = subjects(name, ip);
      for (const subject of [s.account, s.ip])
        if ((await countOf(subject, now)).blockedUntil > now) return true;
      return false;
    },
    async failed(name: string, ip: string, now: number): Promise<FailureOutcome> {
      const s = subjects(name, ip);
      const account = await fail(s.account, config.accountLockoutAfter, now);
      const byIp = await fail(s.ip, config.ipLockoutAfter, now);
      const lockedNow: string[] = [];
      if (account.locked && account.count === config.accountLockoutAfter) lockedNow.push(s.account);
      if (byIp.locked && byIp.count === config.ipLockoutAfter) lockedNow.push(s.ip);
      return { lockedNow, count: { account: account.count, ip: byIp.count } };
    },
    async succeeded(name: string): Promise<void> {
      await store.clearFailure(subjects(name, '').account);
    },
  };
}
