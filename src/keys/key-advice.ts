/**
 * What a key check means for the operator: the permissions in words and, for each flag, a
 * one-line next step, for `key verify` and `key rotate`. The egress-IP guess is shared with
 * `keywarden posture`. The exact console paths (which box to untick on which exchange) live in
 * each adapter's `console` (src/exchanges/) and are quoted by the posture report, not here.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Introspection } from '../exchanges/index.js';
import type { KeyCheck } from './key-types.js';

export const UNKNOWN_EGRESS = "your gateway's egress IP";

/** "read, trade, withdraw" — what the exchange said the key may do. */
export function permissionWords(result: Introspection): string {
  if (!result.available) return 'unknown';
  const p = [
    result.canRead ? 'read' : '',
    result.canTrade ? 'trade' : '',
    result.canWithdraw ? 'withdraw' : '',
    result.canTransfer ? 'transfer' : '',
  ].filter(Boolean);
  return p.length > 0 ? p.join(', ') : 'none';
}

export function ipRestrictionWords(result: Introspection): string {
  if (!result.available) return 'unknown';
  if (!result.ipRestricted) return 'none';
  return result.ipList && result.ipList.length > 0 ? result.ipList.join(', ') : 'yes (list not reported)';
}

/** One line per flag: the exchange setting (or command) that fixes it. */
export function adviceFor(check: KeyCheck, egressIp?: string): string[] {
  const out: string[] = [];
  const reason = check.introspection.available ? '' : check.introspection.reason;
  for (const flag of check.flags) {
    switch (flag) {
      case 'withdraw_enabled':
        out.push('disable withdrawals for this key on the exchange (its API key settings)');
        break;
      case 'transfer_enabled':
        out.push('disable transfers (internal / universal transfer) for this key on the exchange');
        break;
      case 'no_ip_restriction':
        out.push(
          `pin the key to the gateway's egress IP ${egressIp ?? `(${UNKNOWN_EGRESS})`} on the exchange`,
        );
        break;
      case 'introspection_unavailable':
        out.push(
          `the exchange did not confirm this key (${reason}): check that it is still live on the exchange`,
        );
        break;
      case 'check_failed':
        out.push(`could not check the key (${reason}): check the exchange base URL and network, then retry`);
        break;
    }
  }
  return out;
}

/** Private, shared (CGNAT), loopback, link-local, documentation and benchmark ranges: never what an exchange sees. */
const NOT_PUBLIC_V4 = [
  /^0\./,
  /^10\./,
  /^127\./,
  /^169\.254\./,
  /^172\.(1[6-9]|2\d|3[01])\./,
  /^192\.168\./,
  /^192\.0\.[02]\./,
  /^198\.1[89]\./,
  /^198\.51\.100\./,
  /^203\.0\.113\./,
  /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./,
  /^(22[4-9]|2[3-5]\d)\./,
];

/** True for an address other hosts on the internet could see as our source. */
export function isPublicIp(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return !NOT_PUBLIC_V4.some((re) => re.test(ip));
  if (family === 6) {
    const lower = ip.toLowerCase();
    return !(
      lower === '::1' ||
      lower === '::' ||
      /^fe[89ab]/.test(lower) ||
      /^f[cdf]/.test(lower) ||
      lower.startsWith('2001:db8:')
    );
  }
  return false;
}

/**
 * Best-effort egress IP without asking a third party: the first public address on a local
 * interface (a VPS usually has one). Behind NAT there is none and the caller says
 * "your gateway's egress IP" instead of guessing.
 */
export function detectEgressIp(
  interfaces: Record<
    string,
    ReadonlyArray<{ address: string; internal: boolean }> | undefined
  > = networkInterfaces(),
): string | undefined {
  const candidates: string[] = [];
  for (const list of Object.values(interfaces))
    for (const a of list ?? []) if (!a.internal && isPublicIp(a.address)) candidates.push(a.address);
  return candidates.find((a) => isIP(a) === 4) ?? candidates[0];
}
