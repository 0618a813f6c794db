/**
 * The composition root of a one-shot admin process (`client`, `key`, `lockdown`, `unlock`,
 * `posture`, `scan`'s vault link): every service is built here, once, on first use, and closed
 * in reverse order when the command ends. Commands receive the root, parse their flags, call
 * one service and render what it returned; none of them wires anything.
 *
 * Lazy on purpose: `key add` never opens the audit log, `client list` never loads the monitor
 * or an HTTP client, and a bad `--config` fails before the vault asks for a passphrase only in
 * the commands that read it first.
 */

import type { ApprovalsService } from '../approvals/index.js';
import {
  type AuditAnchoring,
  type AuditLog,
  type AuditLogHandle,
  openStoreAuditLog,
} from '../audit/index.js';
import { type ClientService, createClientService, createVersionReader } from '../clients/index.js';
import { type KeywardenConfig, loadConfig } from '../config/index.js';
import { KeywardenError } from '../core/index.js';
import { adapterFor } from '../exchanges/index.js';
import {
  createKeyCheckStore,
  createKeyRegistry,
  type ExchangeAccess,
  type KeyCheckStore,
  type KeyRegistry,
} from '../keys/index.js';
import type { LockdownService } from '../lockdown/index.js';
import type { MonitorHandle, OpenMonitorDeps } from '../monitor/index.js';
import { type AnyStore, openConfiguredStore } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import { openVault, vaultExists } from '../vault/index.js';
import { cliAnchorWarning, cliMonitorHooks } from './cli-kit.js';
import { masterKeySource, type SourceFlags } from './vault-open.js';

/** The client service over an opened store, vault, registry and audit log: the one place it is wired. */
export function clientServiceFor(
  deps: { store: AnyStore; vault: Vault; keys: KeyRegistry; audit: AuditLog },
  actor?: string,
): ClientService {
  return createClientService({
    db: deps.store.db,
    // On PostgreSQL only a gateway reads the version, through its watch (serve.ts): a one-shot
    // process only bumps it.
    readVersion: deps.store.dialect === 'sqlite' ? createVersionReader(deps.store.sqlite) : () => 0,
    vault: deps.vault,
    keys: deps.keys,
    audit: deps.audit,
    adapterFor,
    ...(actor !== undefined ? { actor } : {}),
  });
}

/**
 * The lockdown service as `keywarden lockdown` / `unlock` run it (the demo too, in its own
 * process): its own monitor for the critical alert (sinks and audit log) and, when orders are to
 * be cancelled, access to the configured exchanges. `close()` stops both; the caller owns the
 * store, the registry and the audit log.
 */
export async function openLockdownService(
  config: KeywardenConfig,
  deps: { store: AnyStore; keys: KeyRegistry; audit: Pick<AuditLog, 'append'>; actor?: string },
  options: { withExchanges: boolean; monitor?: Omit<OpenMonitorDeps, 'audit'> },
): Promise<{ service: LockdownService; close(): Promise<void> }> {
  const [{ createExchangeAccess }, { createLockdownService }, { openMonitor }] = await Promise.all([
    import('./exchange-access.js'),
    import('../lockdown/index.js'),
    import('../monitor/index.js'),
  ]);
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

export interface RootOptions {
  dataDir: string;
  /** Master-key source flags; KEYWARDEN_MASTER_KEY and KEYWARDEN_PASSPHRASE_FILE come first, as always. */
  flags: SourceFlags;
  /** keywarden.yaml given with --config; otherwise the default lookup. */
  configPath?: string | undefined;
  /** Who runs the command, for the audit records of client and lockdown changes. */
  actor?: string;
  /**
   * Anchor audit checkpoints as keywarden.yaml's `audit:` says (commands that read it for that:
   * lockdown, posture); the others sign checkpoints at the interval the gateway stored.
   */
  anchorAudit?: boolean;
}

export interface CliRoot {
  readonly dataDir: string;
  /** keywarden.yaml, loaded and validated once. */
  config(): KeywardenConfig;
  /** The configured store: SQLite in the data directory, or PostgreSQL (`store.url`). */
  store(): Promise<AnyStore>;
  /** The vault, unsealed from the usual master-key sources. */
  vault(): Promise<Vault>;
  keys(): Promise<KeyRegistry>;
  audit(): Promise<AuditLogHandle>;
  clients(): Promise<ClientService>;
  /** The client service whose freeze, revoke, set-ip and set-policy also raise their alert. */
  alertingClients(): Promise<ClientService>;
  keyChecks(): Promise<KeyCheckStore>;
  /** The configured exchanges, with the store's nonce sequences. */
  exchanges(): Promise<ExchangeAccess>;
  /** Alert sinks of the config, recording into the audit log. */
  monitor(): Promise<MonitorHandle>;
  lockdown(options: { withExchanges: boolean }): Promise<LockdownService>;
  /** The approvals service (src/approvals), alerting through the config's sinks. */
  approvals(): Promise<ApprovalsService>;
  /** Close everything opened, last opened first; the first failure is rethrown after. */
  close(): Promise<void>;
}

export function createCliRoot(options: RootOptions): CliRoot {
  const closers: Array<() => Promise<void> | void> = [];
  const once = <T>(open: () => Promise<T>): (() => Promise<T>) => {
    let opened: Promise<T> | undefined;
    return () => {
      opened ??= open();
      return opened;
    };
  };
  let config: KeywardenConfig | undefined;
  const actor = options.actor;

  const root: CliRoot = {
    dataDir: options.dataDir,
    config() {
      config ??= loadConfig(options.configPath !== undefined ? { path: options.configPath } : {});
      return config;
    },
    store: once(async () => {
      const store = await openConfiguredStore(options.dataDir, root.config().store.url);
      closers.push(() => store.close());
      return store;
    }),
    vault: once(async () => {
      const store = await root.store();
      if (!(await vaultExists(store))) throw new KeywardenError('vault_not_initialized');
      const vault = openVault(store);
      closers.push(() => vault.seal());
      await vault.unseal(await masterKeySource(options.flags));
      return vault;
    }),
    keys: once(async () => createKeyRegistry(await root.store(), await root.vault())),
    audit: once(async () => {
      const store = await root.store();
      const vault = await root.vault();
      const anchoring: AuditAnchoring = options.anchorAudit
        ? { audit: root.config().audit, onAnchorError: cliAnchorWarning }
        : {};
      const audit = await openStoreAuditLog(store, vault, anchoring);
      closers.push(() => audit.close());
      return audit;
    }),
    clients: once(async () =>
      clientServiceFor(
        {
          store: await root.store(),
          vault: await root.vault(),
          keys: await root.keys(),
          audit: await root.audit(),
        },
        actor,
      ),
    ),
    alertingClients: once(async () => {
      root.config();
      const clients = await root.clients();
      const [alerts, { withClientAlerts }] = await Promise.all([
        root.monitor(),
        import('../monitor/index.js'),
      ]);
      return withClientAlerts(clients, alerts.raise, `cli:${process.env.USER ?? 'operator'}`);
    }),
    keyChecks: once(async () => createKeyCheckStore(await root.store())),
    exchanges: once(async () => {
      const { createExchangeAccess } = await import('./exchange-access.js');
      const access = createExchangeAccess(root.config(), await root.store());
      closers.push(() => access.close());
      return access;
    }),
    monitor: once(async () => {
      const { openMonitor } = await import('../monitor/index.js');
      const alerts = openMonitor(root.config(), { audit: await root.audit(), ...cliMonitorHooks });
      closers.push(() => alerts.close());
      return alerts;
    }),
    async lockdown({ withExchanges }) {
      const opened = await openLockdownService(
        root.config(),
        {
          store: await root.store(),
          keys: await root.keys(),
          audit: await root.audit(),
          ...(actor !== undefined ? { actor } : {}),
        },
        { withExchanges, monitor: cliMonitorHooks },
      );
      closers.push(() => opened.close());
      return opened.service;
    },
    approvals: once(async () => {
      const { createApprovals } = await import('../approvals/index.js');
      const config = root.config();
      const [store, audit, alerts] = await Promise.all([root.store(), root.audit(), root.monitor()]);
      return createApprovals({
        db: store.db,
        clock: { now: Date.now },
        audit,
        config: config.approvals,
        alerts: alerts.monitor,
      });
    }),
    async close() {
      let first: unknown;
      for (const close of closers.splice(0).reverse()) {
        try {
          await close();
        } catch (err) {
          first ??= err;
        }
      }
      if (first !== undefined) throw first;
    },
  };
  return root;
}

/** Build the root, run `fn` on it, close it however `fn` ends. */
export async function withRoot<T>(options: RootOptions, fn: (root: CliRoot) => Promise<T>): Promise<T> {
  const root = createCliRoot(options);
  try {
    return await fn(root);
  } finally {
    await root.close();
  }
}

/** The audit actor of a CLI process: `cli:$USER`, or `cli`. */
export function cliActor(): string {
  return process.env.USER ? `cli:${process.env.USER}` : 'cli';
}

/** The master-key flags of a command (`--passphrase-file`, `--key-file`), as given. */
export function sourceFlags(opts: SourceFlags): SourceFlags {
  return {
    ...(opts.passphraseFile !== undefined ? { passphraseFile: opts.passphraseFile } : {}),
    ...(opts.keyFile !== undefined ? { keyFile: opts.keyFile } : {}),
  };
}
