/**
 * The admin API's services, wired once over an opened store, vault, key registry, audit log and
 * monitor (`keywarden admin serve`, and the tests, build them here). The client and lockdown
 * services record their actor in their own audit records, so they are made per actor: cheap
 * factories over the same connections.
 */
import { type AdminServices, approvalExecutors } from '../admin/index.js';
import { createApprovals } from '../approvals/index.js';
import { type AuditLog, queryAuditStore, verifyAuditStore } from '../audit/index.js';
import {
  type ApprovalsConfig,
  DEFAULT_APPROVALS,
  type KeywardenConfig,
  parseConfig,
} from '../config/index.js';
import { type Actor, type Clock, describeActor, KeywardenError, systemClock } from '../core/index.js';
import { adapterFor } from '../exchanges/index.js';
import { createKeyCheckStore, type ExchangeAccess, type KeyRegistry, verifyKey } from '../keys/index.js';
import { createLockdownService } from '../lockdown/index.js';
import { createAlertAcks, type MonitorHandle, withClientAlerts } from '../monitor/index.js';
import { createOperators, type OperatorsConfig } from '../operators/index.js';
import type { RotationPolicy } from '../rotation/index.js';
import { rotateKey } from '../rotation/index.js';
import type { AnyStore } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import { postureReportOf } from './posture.js';
import { type CliRoot, clientServiceFor } from './root.js';

export interface AdminRootDeps {
  /** Either engine: every admin service reads and writes through Kysely (and the audit helpers). */
  store: AnyStore;
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
  /** keywarden.yaml (posture, rotation grace); default: an empty one. */
  config?: KeywardenConfig;
  /** The configured exchanges (key verify and rotate), opened on first use. */
  access?: ExchangeAccess | (() => Promise<ExchangeAccess>);
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
  const config = deps.config ?? parseConfig({});
  const checks = createKeyCheckStore(deps.store);
  const access = async () => {
    if (!deps.access)
      throw new KeywardenError('invalid_config', 'no exchange access configured for this admin API');
    return typeof deps.access === 'function' ? deps.access() : deps.access;
  };
  // The executors read the services when an approval runs, after this function returned them.
  let services: AdminServices | undefined;
  const approvals = createApprovals({
    db: deps.store.db,
    clock,
    audit: deps.audit,
    config: deps.approvals ?? config.approvals ?? DEFAULT_APPROVALS,
    alerts: deps.monitor.monitor,
    executors: approvalExecutors(() => {
      if (!services) throw new KeywardenError('internal');
      return services;
    }),
  });
  const clientsFor = (actor: Actor) =>
    withClientAlerts(clientServiceFor(deps, describeActor(actor)), deps.monitor.raise, describeActor(actor));
  services = {
    operators,
    approvals,
    keys: deps.keys,
    keyOps: {
      async verify(keyId, actor) {
        const key = await deps.keys.get(keyId);
        if (!key) throw new KeywardenError('not_found', `no key ${keyId.slice(0, 64)}`);
        return verifyKey(
          {
            keys: deps.keys,
            access: await access(),
            checks,
            audit: deps.audit,
            monitor: deps.monitor.monitor,
            actor: describeActor(actor),
          },
          key,
        );
      },
      async rotate(keyId, credential, options, actor) {
        return rotateKey(
          {
            store: deps.store,
            vault: deps.vault,
            keys: deps.keys,
            access: await access(),
            checks,
            audit: deps.audit,
            monitor: deps.monitor.monitor,
            actor: describeActor(actor),
          },
          keyId,
          credential,
          options,
        );
      },
    },
    alertAcks: createAlertAcks(deps.store.db),
    posture: () =>
      postureReportOf({
        config,
        sources: { keys: deps.keys, clients: clientServiceFor(deps), checks, db: deps.store.db },
        now: clock.now(),
        ...(config.lifecycle.egressIp !== undefined ? { egressIp: config.lifecycle.egressIp } : {}),
      }),
    rotationGraceMs: config.lifecycle.rotationGraceSeconds * 1000,
    clientsFor,
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
    auditRecords: (filter) => queryAuditStore(deps.store, filter),
    verifyAudit: () => verifyAuditStore(deps.store),
    vault: deps.vault,
    clock,
    ...(deps.rotationPolicy ? { rotationPolicy: deps.rotationPolicy } : {}),
    ...(deps.gatewayUrl ? { gatewayUrl: deps.gatewayUrl } : {}),
  };
  return services;
}

/** The gateway as a bot on this machine reaches it (a wildcard listen address is reached on loopback). */
function gatewayUrlOf(server: { listen: string; tls?: unknown }): string {
  const listen = server.listen.replace(/^0\.0\.0\.0:/, '127.0.0.1:').replace(/^:/, '127.0.0.1:');
  return `${server.tls ? 'https' : 'http'}://${listen}`;
}

/**
 * The admin services over a CLI root (`admin serve`, `operator`, `approvals approve`): the same
 * store, vault, registry, audit log and monitor the command opened, keywarden.yaml's approvals,
 * and the configured exchanges opened only if a key is verified or rotated.
 */
export async function adminServicesOf(root: CliRoot): Promise<AdminServices> {
  const config = root.config();
  return adminServices({
    store: await root.store(),
    vault: await root.vault(),
    keys: await root.keys(),
    audit: await root.audit(),
    monitor: await root.monitor(),
    approvals: config.approvals,
    config,
    access: () => root.exchanges(),
    rotationPolicy: config.lifecycle.rotationDays,
    gatewayUrl: gatewayUrlOf(config.server),
  });
}
