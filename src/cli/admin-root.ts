/**
 * The admin API's services, wired once over an opened store, vault, key registry, audit log and
 * monitor (`keywarden admin serve`, and the tests, build them here). The client and lockdown
 * services record their actor in their own audit records, so they are made per actor: cheap
 * factories over the same connections.
 */
import type { AdminServices } from '../admin/index.js';
import { createApprovals } from '../approvals/index.js';
import { type AuditLog, queryAudit, verifyAuditLog } from '../audit/index.js';
import { type ApprovalsConfig, DEFAULT_APPROVALS } from '../config/index.js';
import { type Clock, describeActor, systemClock } from '../core/index.js';
import { adapterFor } from '../exchanges/index.js';
import type { KeyRegistry } from '../keys/index.js';
import { createLockdownService } from '../lockdown/index.js';
import { type MonitorHandle, withClientAlerts } from '../monitor/index.js';
import { createOperators, type OperatorsConfig } from '../operators/index.js';
import type { RotationPolicy } from '../rotation/index.js';
import type { Store } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import { clientServiceFor } from './root.js';

export interface AdminRootDeps {
  store: Store;
  vault: Vault;
  keys: KeyRegistry;
  audit: AuditLog;
  monitor: Pick<MonitorHandle, 'raise' | 'monitor'>;
  clock?: Clock;
  operators?: Partial<OperatorsConfig>;
  /** keywarden.yaml's `approvals` (default: nothing required, 24 h to decide). */
  approvals?: ApprovalsConfig;
  /** keywarden.yaml's `lifecycle.rotationDays` (the overview's keys due). */
  rotationPolicy?: RotationPolicy;
  /** Where bots reach the gateway (the dashboard's CCXT snippet). */
  gatewayUrl?: string;
}

export function adminServices(deps: AdminRootDeps): AdminServices {
  const clock = deps.clock ?? systemClock;
  const operators = createOperators({
    db: deps.store.db,
    vault: deps.vault,
    audit: deps.audit,
    clock,
    raise: deps.monitor.raise,
    ...(deps.operators ? { config: deps.operators } : {}),
  });
  const approvals = createApprovals({
    db: deps.store.db,
    clock,
    audit: deps.audit,
    config: deps.approvals ?? DEFAULT_APPROVALS,
    alerts: deps.monitor.monitor,
  });
  return {
    operators,
    approvals,
    keys: deps.keys,
    clientsFor: (actor) =>
      withClientAlerts(
        clientServiceFor(deps, describeActor(actor)),
        deps.monitor.raise,
        describeActor(actor),
      ),
    lockdownFor: async (actor) =>
      createLockdownService({
        store: deps.store,
        keys: deps.keys,
        audit: deps.audit,
        adapterFor,
        monitor: deps.monitor.monitor,
        now: () => clock.now(),
        actor: describeActor(actor),
      }),
    audit: deps.audit,
    auditRecords: (filter) => queryAudit(deps.store.sqlite, filter),
    verifyAudit: () => verifyAuditLog(deps.store.sqlite),
    vault: deps.vault,
    clock,
    ...(deps.rotationPolicy ? { rotationPolicy: deps.rotationPolicy } : {}),
    ...(deps.gatewayUrl ? { gatewayUrl: deps.gatewayUrl } : {}),
  };
}
