import type { Policy } from '../policy/index.js';
import type { MonitorHandle } from './open-monitor.js';

/** The part of the lifecycle's client service whose changes deserve an alert. */
export interface ClientStateChanges {
  freeze(ref: string): Promise<{ name: string }>;
  revoke(ref: string): Promise<{ name: string }>;
  setIpAllow(ref: string, cidrs: string[]): Promise<{ name: string; ipAllow: string[] }>;
  setPolicy(
    ref: string,
    policy: Policy,
  ): Promise<{ name: string; policy: { mode: string; actions: readonly string[] } }>;
}

/**
 * The client service as an operator command uses it: a manual freeze or revoke also raises
 * `client.frozen` / `client.revoked`, and a new IP allow-list or policy `client.changed` (a
 * loosened policy is how a stolen admin session would prepare a withdrawal), each to the sinks and
 * the audit log after the change is committed. Give `openMonitor` the unwrapped service: its
 * auto-freeze reports itself.
 */
export function withClientAlerts<T extends ClientStateChanges>(
  clients: T,
  raise: MonitorHandle['raise'],
  actor = 'an operator',
): T {
  return {
    ...clients,
    async freeze(ref: string) {
      const record = await clients.freeze(ref);
      raise({
        kind: 'client_frozen',
        client: record.name,
        message: `client ${record.name} was frozen by ${actor}; its requests are denied until \`keywarden client unfreeze ${record.name}\``,
      });
      return record;
    },
    async revoke(ref: string) {
      const record = await clients.revoke(ref);
      raise({
        kind: 'client_revoked',
        client: record.name,
        message: `client ${record.name} was revoked by ${actor}; its credentials no longer work (issue a new client if it is still needed)`,
      });
      return record;
    },
    async setIpAllow(ref: string, cidrs: string[]) {
      const record = await clients.setIpAllow(ref, cidrs);
      raise({
        kind: 'client_changed',
        client: record.name,
        message: `client ${record.name}: source-IP allow-list set to ${record.ipAllow.join(', ')} by ${actor}`,
        detail: { change: 'ip_allow', ipAllow: record.ipAllow },
      });
      return record;
    },
    async setPolicy(ref: string, policy: Policy) {
      const record = await clients.setPolicy(ref, policy);
      raise({
        kind: 'client_changed',
        client: record.name,
        message: `client ${record.name}: policy replaced by ${actor} (mode ${record.policy.mode}, actions ${record.policy.actions.join(', ')})`,
        detail: { change: 'policy', mode: record.policy.mode, actions: [...record.policy.actions] },
      });
      return record;
    },
  };
}
