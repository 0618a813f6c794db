import type { KeywardenConfig } from '../config/config.js';
import { adapterFor } from '../exchanges/index.js';
import { createExchangeAccess } from '../lifecycle/exchange-access.js';
import { createLockdownService, type LockdownDeps, type LockdownService } from '../lifecycle/lockdown.js';
import { type OpenMonitorDeps, openMonitor } from '../monitor/index.js';
import type { Store } from '../store/db.js';

/**
 * The lockdown service as `keywarden lockdown` / `unlock` run it (the demo too, in its own
 * process): its own monitor for the critical alert (sinks and audit log) and, when orders are to
 * be cancelled, access to the configured exchanges. `close()` stops both; the caller owns the
 * store, the registry and the audit log.
 */
export function openLockdownService(
  config: KeywardenConfig,
  deps: Pick<LockdownDeps, 'keys' | 'audit' | 'actor'> & { store: Store },
  options: { withExchanges: boolean; monitor?: Omit<OpenMonitorDeps, 'audit'> },
): { service: LockdownService; close(): Promise<void> } {
  const access = options.withExchanges ? createExchangeAccess(config, deps.store) : undefined;
  const alerts = openMonitor(config, { ...options.monitor, audit: deps.audit });
  const service = createLockdownService({
    ...deps,
    adapterFor: (id) => adapterFor(id),
    ...(access ? { exchanges: access } : {}),
    monitor: alerts.monitor,
  });
  return {
    service,
    async close() {
      try {
        await alerts.close();
      } finally {
        await access?.close();
      }
    },
  };
}
