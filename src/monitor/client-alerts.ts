import type { MonitorHandle } from './open-monitor.js';

/** The part of the lifecycle's client service whose changes deserve an alert. */
export interface ClientStateChanges {
  freeze(ref: string): Promise<{ name: string }>;
  revoke(ref: string): Promise<{ name: string }>;
}

/**
 * The client service as an operator command uses it: a manual freeze or revoke also raises
 * `client.frozen` / `client.revoked` (sinks and audit log), after the change is committed.
 * Give `openMonitor` the unwrapped service: its auto-freeze reports itself.
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
  };
}
