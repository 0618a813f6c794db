/**
 * Lockdown: one command freezes every client of a key (one client, or everything) at once,
 * optionally cancels the open orders with the real key, raises a critical alert and writes an
 * incident report; `unlock` reverses exactly that lockdown.
 *
 * The freeze is one synchronous SQLite transaction (BEGIN IMMEDIATE) that also bumps
 * `clients_version`, which every gateway reads on every request: once `lockdown()` has
 * returned — in fact once its first step has — no gateway, in this process or another,
 * accepts a new request from those clients. Requests already past authentication finish.
 */
import type { CompiledQuery, Kysely } from 'kysely';
import type { AuditEvent, AuditLog } from '../audit/audit-types.js';
import type { ExchangeId } from '../core/index.js';
import { KeywardenError, prefixedId } from '../core/index.js';
import type { CancelAllResult, ExchangeAdapter } from '../exchanges/adapter.js';
import type { Monitor } from '../monitor/monitor-types.js';
import type { Store } from '../store/db.js';
import type { Database } from '../store/schema.js';
import type { ExchangeAccess } from './exchange-access.js';
import { type IncidentInput, writeIncidentReport } from './incident-report.js';
import type { KeyRecord, KeyRegistry } from './key-types.js';

export type LockdownScope = { kind: 'all' } | { kind: 'key'; ref: string } | { kind: 'client'; ref: string };

/** A client as the lockdown saw it. */
export interface LockdownClient {
  id: string;
  name: string;
  exchange: ExchangeId;
  keyId: string;
}

/** One key's `--cancel-orders` outcome: the exchange's counts, or why it could not be asked. */
export interface CancelOutcome {
  keyId: string;
  keyLabel: string;
  exchange: ExchangeId;
  cancelled: number;
  failed: CancelAllResult['failed'];
  /** Set when the exchange could not be asked at all (no endpoint, no answer, sealed vault). */
  error?: string;
}

export interface LockdownRecord {
  id: string;
  scope: LockdownScope['kind'];
  target?: { id: string; label: string };
  reason: string;
  actor: string;
  startedAt: number;
  endedAt?: number;
  unlockReason?: string;
  /** Every client in scope (revoked clients excluded). */
  clients: LockdownClient[];
  /** Names of the clients this lockdown froze. */
  frozen: string[];
  /** Names of clients in scope that were already frozen (left frozen by `unlock`). */
  alreadyFrozen: string[];
  cancel?: CancelOutcome[];
  reportPath?: string;
}

export interface LockdownResult {
  lockdown: LockdownRecord;
  /** Things that went wrong after the freeze took effect (audit, alert, report); the lockdown holds. */
  warnings: string[];
}

export interface UnlockResult {
  /** The lockdowns ended, newest first. */
  ended: LockdownRecord[];
  /** Names of the clients unfrozen. */
  unfrozen: string[];
  /** Clients that stay frozen because another active lockdown covers them (it unfreezes them later). */
  handedOver: Array<{ name: string; lockdownId: string }>;
  /** Clients this lockdown froze that were revoked or unfrozen by hand meanwhile (left as they are). */
  skipped: string[];
  warnings: string[];
}

export interface LockdownDeps {
  /** Store connection (any process): Kysely builds the queries, the raw handle runs the freeze synchronously. */
  store: Pick<Store, 'db' | 'sqlite' | 'dataDir'>;
  keys: Pick<KeyRegistry, 'get' | 'list' | 'credential'>;
  audit: Pick<AuditLog, 'append'>;
  adapterFor: (id: ExchangeId) => ExchangeAdapter | undefined;
  /** How to reach the exchanges for `--cancel-orders` (configured base URLs only). */
  exchanges?: Pick<ExchangeAccess, 'baseUrl' | 'transport' | 'nonce'>;
  /** Where the critical `lockdown` alert goes (sinks + audit); absent = the audit records only. */
  monitor?: Pick<Monitor, 'observe'>;
  now?: () => number;
  /** Who runs the command (audit `actor`). */
  actor?: string;
}

export interface LockdownInput {
  scope: LockdownScope;
  reason?: string;
  cancelOrders?: boolean;
  /** Hours of audit trail the incident report covers (default 24). */
  reportHours?: number;
}

export type UnlockInput = { reason: string } & ({ scope: LockdownScope } | { id: string });

const MAX_REASON = 500;
export const DEFAULT_REPORT_HOURS = 24;

type ClientRow = Pick<Database['clients'], 'id' | 'name' | 'exchange' | 'key_id' | 'status'>;
type LockdownRow = Database['lockdowns'];

/** Run one compiled Kysely query on the raw handle, synchronously: a transaction of them has no event-loop turn inside. */
function runCompiled(sqlite: Store['sqlite'], query: CompiledQuery): unknown[] {
  const stmt = sqlite.prepare(query.sql);
  const params = query.parameters as unknown[];
  if (stmt.reader) return stmt.all(...params);
  stmt.run(...params);
  return [];
}

/** Every gateway reloads client state when `clients_version` moves (see the header comment). */
function bumpClientsVersion(sqlite: Store['sqlite'], db: Store['db']): void {
  runCompiled(
    sqlite,
    db
      .updateTable('clients_version')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', 1)
      .compile(),
  );
}

function scopeText(scope: LockdownRecord['scope'], target: LockdownRecord['target']): string {
  return scope === 'all' ? 'all clients' : `${scope} ${target?.label ?? '?'}`;
}

function describeScope(scope: LockdownScope): string {
  return scope.kind === 'all' ? '--all' : `--${scope.kind} ${scope.ref.slice(0, 64)}`;
}

function parseIds(json: string): string[] {
  const v = JSON.parse(json) as unknown;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function cleanReason(reason: string | undefined, required: boolean): string {
  const text = (reason ?? '').replace(/[\r\n\t]+/g, ' ').trim();
  if (text === '') {
    if (required) throw new KeywardenError('invalid_input', 'a reason is required (--reason TEXT)');
    return 'no reason given';
  }
  if (text.length > MAX_REASON)
    throw new KeywardenError('invalid_input', `reason is longer than ${MAX_REASON} characters`);
  return text;
}

/** The reason an exchange call failed, without echoing a request (which would carry signatures). */
function failureText(err: unknown): string {
  if (err instanceof KeywardenError) return err.message.slice(0, 200);
  if (err instanceof Error && 'code' in err && typeof err.code === 'string')
    return `request failed (${err.code})`;
  return 'request failed';
}

export function createLockdownService(deps: LockdownDeps) {
  const { store } = deps;
  const db: Kysely<Database> = store.db;
  const now = deps.now ?? Date.now;
  const actor = deps.actor ?? 'cli';

  async function resolveKey(ref: string): Promise<KeyRecord> {
    const key = await deps.keys.get(ref);
    if (!key) throw new KeywardenError('not_found', `no exchange key "${ref.slice(0, 64)}"`);
    return key;
  }

  function clientRow(ref: string): ClientRow {
    const rows = runCompiled(
      store.sqlite,
      db
        .selectFrom('clients')
        .select(['id', 'name', 'exchange', 'key_id', 'status'])
        .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
        .compile(),
    ) as ClientRow[];
    const row = rows[0];
    if (!row) throw new KeywardenError('not_found', `no client "${ref.slice(0, 64)}"`);
    return row;
  }

  function clientsInScope(scope: LockdownScope, key: KeyRecord | undefined): ClientRow[] {
    let q = db
      .selectFrom('clients')
      .select(['id', 'name', 'exchange', 'key_id', 'status'])
      .where('status', '!=', 'revoked')
      .orderBy('name');
    if (scope.kind === 'key' && key) q = q.where('key_id', '=', key.id);
    if (scope.kind === 'client') {
      const row = clientRow(scope.ref);
      if (row.status === 'revoked')
        throw new KeywardenError('invalid_input', `client "${row.name}" is revoked; nothing to lock down`);
      q = q.where('id', '=', row.id);
    }
    return runCompiled(store.sqlite, q.compile()) as ClientRow[];
  }

  /** The clients a lockdown covered (as they are now) and the ids it froze. */
  function clientsOf(l: LockdownRow): { frozen: string[]; clients: LockdownClient[] } {
    const clients = [...clientsById(parseIds(l.clients_json)).values()].map((c) => ({
      id: c.id,
      name: c.name,
      exchange: c.exchange as ExchangeId,
      keyId: c.key_id,
    }));
    return { frozen: parseIds(l.frozen_json), clients };
  }

  function toRecord(row: LockdownRow, clients: LockdownClient[], frozenNames: string[], already: string[]) {
    const record: LockdownRecord = {
      id: row.id,
      scope: row.scope as LockdownRecord['scope'],
      reason: row.reason,
      actor: row.actor,
      startedAt: row.started_at,
      clients,
      frozen: frozenNames,
      alreadyFrozen: already,
    };
    if (row.target_id !== null)
      record.target = { id: row.target_id, label: row.target_label ?? row.target_id };
    if (row.ended_at !== null) record.endedAt = row.ended_at;
    if (row.unlock_reason !== null) record.unlockReason = row.unlock_reason;
    if (row.cancel_json !== null) record.cancel = JSON.parse(row.cancel_json) as CancelOutcome[];
    if (row.report_path !== null) record.reportPath = row.report_path;
    return record;
  }

  /** Clients by id, for names in records and reports (revoked ones included). */
  function clientsById(ids: string[]): Map<string, ClientRow> {
    if (ids.length === 0) return new Map();
    const rows = runCompiled(
      store.sqlite,
      db
        .selectFrom('clients')
        .select(['id', 'name', 'exchange', 'key_id', 'status'])
        .where('id', 'in', ids)
        .compile(),
    ) as ClientRow[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  function freeze(scope: LockdownScope, key: KeyRecord | undefined, reason: string) {
    const t = now();
    const id = prefixedId('ld', 20);
    // IMMEDIATE: take the write lock first, so the clients read are the clients frozen.
    return store.sqlite
      .transaction(() => {
        let target: { id: string; label: string } | undefined;
        if (scope.kind === 'key' && key) target = { id: key.id, label: key.label };
        if (scope.kind === 'client') {
          const r = clientRow(scope.ref);
          target = { id: r.id, label: r.name };
        }
        const inScope = clientsInScope(scope, key);
        const toFreeze = inScope.filter((c) => c.status === 'active');
        if (toFreeze.length > 0) {
          runCompiled(
            store.sqlite,
            db
              .updateTable('clients')
              .set((eb) => ({ status: 'frozen', updated_at: t, version: eb('version', '+', 1) }))
              .where(
                'id',
                'in',
                toFreeze.map((c) => c.id),
              )
              .where('status', '=', 'active')
              .compile(),
          );
          bumpClientsVersion(store.sqlite, db);
        }
        const row: LockdownRow = {
          id,
          scope: scope.kind,
          target_id: target?.id ?? null,
          target_label: target?.label ?? null,
          reason,
          actor,
          started_at: t,
          ended_at: null,
          unlock_reason: null,
          unlock_actor: null,
          clients_json: JSON.stringify(inScope.map((c) => c.id)),
          frozen_json: JSON.stringify(toFreeze.map((c) => c.id)),
          cancel_json: null,
          report_path: null,
        };
        runCompiled(store.sqlite, db.insertInto('lockdowns').values(row).compile());
        return { row, inScope, toFreeze };
      })
      .immediate();
  }

  /** Keys whose open orders `--cancel-orders` cancels: the key asked for, the keys behind the clients, or every active key. */
  async function keysToCancel(scope: LockdownScope, key: KeyRecord | undefined, clients: LockdownClient[]) {
    if (scope.kind === 'key' && key) return [key];
    const byId = new Map<string, KeyRecord>();
    if (scope.kind === 'all') for (const k of await deps.keys.list()) byId.set(k.id, k);
    for (const c of clients) {
      if (byId.has(c.keyId)) continue;
      const k = await deps.keys.get(c.keyId);
      if (k) byId.set(k.id, k);
    }
    return [...byId.values()];
  }

  async function cancelFor(key: KeyRecord): Promise<CancelOutcome> {
    const base = { keyId: key.id, keyLabel: key.label, exchange: key.exchange, cancelled: 0, failed: [] };
    const adapter = deps.adapterFor(key.exchange);
    const exchanges = deps.exchanges;
    if (!adapter?.cancelAllOrders) return { ...base, error: `no cancel-all support for ${key.exchange}` };
    if (!exchanges) return { ...base, error: 'no exchange access configured' };
    try {
      const baseUrl = exchanges.baseUrl(key.exchange);
      const credential = await deps.keys.credential(key.id);
      const result = await adapter.cancelAllOrders(credential, exchanges.transport(key.exchange), {
        clock: { now },
        nonce: exchanges.nonce(key.id),
        baseUrl,
      });
      return { ...base, cancelled: result.cancelled, failed: result.failed.slice(0, 100) };
    } catch (err) {
      return { ...base, error: failureText(err) };
    }
  }

  async function append(events: AuditEvent[], warnings: string[]): Promise<void> {
    const results = await Promise.allSettled(events.map((e) => deps.audit.append({ actor, ...e })));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) warnings.push(`${failed} audit record(s) could not be written`);
  }

  function updateRow(id: string, set: Partial<LockdownRow>): void {
    runCompiled(store.sqlite, db.updateTable('lockdowns').set(set).where('id', '=', id).compile());
  }

  function activeRows(): LockdownRow[] {
    return runCompiled(
      store.sqlite,
      db
        .selectFrom('lockdowns')
        .selectAll()
        .where('ended_at', 'is', null)
        .orderBy('started_at', 'desc')
        .compile(),
    ) as LockdownRow[];
  }

  return {
    async lockdown(input: LockdownInput): Promise<LockdownResult> {
      const reason = cleanReason(input.reason, false);
      const hours = input.reportHours ?? DEFAULT_REPORT_HOURS;
      if (!(hours > 0 && hours <= 24 * 90))
        throw new KeywardenError('invalid_input', 'report hours must be between 1 and 2160');
      const key = input.scope.kind === 'key' ? await resolveKey(input.scope.ref) : undefined;
      const { row, inScope, toFreeze } = freeze(input.scope, key, reason);
      const warnings: string[] = [];
      const clients: LockdownClient[] = inScope.map((c) => ({
        id: c.id,
        name: c.name,
        exchange: c.exchange as ExchangeId,
        keyId: c.key_id,
      }));
      const frozenIds = new Set(toFreeze.map((c) => c.id));
      const record = toRecord(
        row,
        clients,
        toFreeze.map((c) => c.name),
        inScope.filter((c) => !frozenIds.has(c.id)).map((c) => c.name),
      );
      const where = scopeText(record.scope, record.target);

      // The freeze holds from here on; everything below is reporting and clean-up.
      try {
        deps.monitor?.observe({
          type: 'system',
          at: row.started_at,
          kind: 'lockdown',
          ...(key ? { keyLabel: key.label } : {}),
          ...(input.scope.kind === 'client' && record.target ? { client: record.target.label } : {}),
          message: `lockdown ${row.id} of ${where}: ${record.frozen.length} client(s) frozen${
            record.frozen.length > 0 ? ` (${record.frozen.slice(0, 20).join(', ')})` : ''
          }; reason: ${reason}${input.cancelOrders ? '; cancelling open orders' : ''}`,
          detail: {
            lockdownId: row.id,
            scope: record.scope,
            frozen: record.frozen.length,
            alreadyFrozen: record.alreadyFrozen.length,
            cancelOrders: input.cancelOrders === true,
          },
        });
      } catch {
        warnings.push('the lockdown alert could not be raised');
      }
      await append(
        [
          ...toFreeze.map(
            (c): AuditEvent => ({
              kind: 'admin',
              action: 'client.freeze',
              clientId: c.id,
              keyId: c.key_id,
              exchange: c.exchange,
              detail: { name: c.name, lockdown: row.id, reason },
            }),
          ),
          {
            kind: 'admin',
            action: 'lockdown',
            ...(key ? { keyId: key.id, exchange: key.exchange } : {}),
            ...(input.scope.kind === 'client' && clients[0]
              ? { clientId: clients[0].id, exchange: clients[0].exchange }
              : {}),
            message: reason,
            detail: {
              lockdown: row.id,
              scope: record.scope,
              ...(record.target ? { target: record.target.label } : {}),
              frozen: record.frozen,
              alreadyFrozen: record.alreadyFrozen,
              cancelOrders: input.cancelOrders === true,
            },
          },
        ],
        warnings,
      );

      if (input.cancelOrders) {
        const keys = await keysToCancel(input.scope, key, clients);
        record.cancel = await Promise.all(keys.map(cancelFor));
        updateRow(row.id, { cancel_json: JSON.stringify(record.cancel) });
        await append(
          record.cancel.map(
            (c): AuditEvent => ({
              kind: 'admin',
              action: 'lockdown.cancel_orders',
              keyId: c.keyId,
              exchange: c.exchange,
              detail: {
                lockdown: row.id,
                key: c.keyLabel,
                cancelled: c.cancelled,
                failed: c.failed.length,
                ...(c.error ? { error: c.error } : {}),
              },
            }),
          ),
          warnings,
        );
        for (const c of record.cancel) {
          if (c.error) warnings.push(`open orders of key ${c.keyLabel} were not cancelled: ${c.error}`);
          else if (c.failed.length > 0)
            warnings.push(`${c.failed.length} order(s) of key ${c.keyLabel} could not be cancelled`);
        }
      }

      try {
        const keyLabels = new Map<string, string>();
        for (const c of clients)
          if (!keyLabels.has(c.keyId))
            keyLabels.set(c.keyId, (await deps.keys.get(c.keyId))?.label ?? c.keyId);
        if (key) keyLabels.set(key.id, key.label);
        const report: IncidentInput = {
          lockdown: record,
          keyLabels,
          hours,
          now: now(),
        };
        record.reportPath = writeIncidentReport(store, report);
        updateRow(row.id, { report_path: record.reportPath });
      } catch (err) {
        warnings.push(`the incident report could not be written: ${failureText(err)}`);
      }
      return { lockdown: record, warnings };
    },

    async unlock(input: UnlockInput): Promise<UnlockResult> {
      const reason = cleanReason(input.reason, true);
      const scope = 'scope' in input ? input.scope : undefined;
      const key = scope?.kind === 'key' ? await resolveKey(scope.ref) : undefined;
      const t = now();
      const warnings: string[] = [];
      const outcome = store.sqlite
        .transaction(() => {
          const active = activeRows();
          let targetId: string | undefined;
          if (scope?.kind === 'key' && key) targetId = key.id;
          if (scope?.kind === 'client') targetId = clientRow(scope.ref).id;
          const selected = active.filter((l) =>
            'id' in input
              ? l.id === input.id
              : l.scope === scope?.kind && (scope.kind === 'all' || l.target_id === targetId),
          );
          if (selected.length === 0) {
            const what =
              'id' in input ? `lockdown ${input.id.slice(0, 40)}` : describeScope(scope ?? { kind: 'all' });
            const others = active
              .slice(0, 5)
              .map(
                (l) => `${l.id} (${l.scope === 'all' ? '--all' : `--${l.scope} ${l.target_label ?? ''}`})`,
              );
            throw new KeywardenError(
              'not_found',
              `no active lockdown for ${what}${others.length > 0 ? `; active: ${others.join(', ')}` : ''}`,
            );
          }
          const remaining = active.filter((l) => !selected.includes(l));
          const frozenOf = new Map(remaining.map((l) => [l.id, parseIds(l.frozen_json)]));
          const unfreeze: string[] = [];
          const handedOver: Array<{ id: string; lockdownId: string }> = [];
          const skipped: string[] = [];
          const statuses = clientsById(selected.flatMap((l) => parseIds(l.frozen_json)));
          for (const l of selected) {
            for (const id of parseIds(l.frozen_json)) {
              // Another active lockdown covers this client: it stays frozen, and that one unfreezes it.
              const heir = remaining.find((m) => parseIds(m.clients_json).includes(id));
              if (heir) {
                frozenOf.get(heir.id)?.push(id);
                handedOver.push({ id, lockdownId: heir.id });
              } else if (statuses.get(id)?.status === 'frozen' && !unfreeze.includes(id)) unfreeze.push(id);
              else skipped.push(id);
            }
            runCompiled(
              store.sqlite,
              db
                .updateTable('lockdowns')
                .set({ ended_at: t, unlock_reason: reason, unlock_actor: actor })
                .where('id', '=', l.id)
                .compile(),
            );
          }
          for (const h of new Set(handedOver.map((h) => h.lockdownId)))
            runCompiled(
              store.sqlite,
              db
                .updateTable('lockdowns')
                .set({ frozen_json: JSON.stringify([...new Set(frozenOf.get(h) ?? [])]) })
                .where('id', '=', h)
                .compile(),
            );
          if (unfreeze.length > 0) {
            runCompiled(
              store.sqlite,
              db
                .updateTable('clients')
                .set((eb) => ({ status: 'active', updated_at: t, version: eb('version', '+', 1) }))
                .where('id', 'in', unfreeze)
                .where('status', '=', 'frozen')
                .compile(),
            );
            bumpClientsVersion(store.sqlite, db);
          }
          return { selected, unfreeze, handedOver, skipped, statuses };
        })
        .immediate();

      const names = (ids: string[]) => ids.map((id) => outcome.statuses.get(id)?.name ?? id);
      const ended = outcome.selected.map((l) => {
        const { frozen, clients } = clientsOf(l);
        return toRecord(
          { ...l, ended_at: t, unlock_reason: reason },
          clients,
          names(frozen),
          clients.filter((c) => !frozen.includes(c.id)).map((c) => c.name),
        );
      });
      await append(
        [
          ...outcome.unfreeze.map((id): AuditEvent => {
            const c = outcome.statuses.get(id);
            return {
              kind: 'admin',
              action: 'client.unfreeze',
              clientId: id,
              ...(c ? { keyId: c.key_id, exchange: c.exchange } : {}),
              detail: { name: c?.name ?? id, unlock: ended.map((l) => l.id), reason },
            };
          }),
          ...ended.map(
            (l): AuditEvent => ({
              kind: 'admin',
              action: 'unlock',
              message: reason,
              detail: {
                lockdown: l.id,
                scope: l.scope,
                ...(l.target ? { target: l.target.label } : {}),
                unfrozen: names(outcome.unfreeze),
                handedOver: outcome.handedOver.map((h) => ({
                  client: outcome.statuses.get(h.id)?.name ?? h.id,
                  lockdown: h.lockdownId,
                })),
              },
            }),
          ),
        ],
        warnings,
      );
      return {
        ended,
        unfrozen: names(outcome.unfreeze),
        handedOver: outcome.handedOver.map((h) => ({
          name: outcome.statuses.get(h.id)?.name ?? h.id,
          lockdownId: h.lockdownId,
        })),
        skipped: names(outcome.skipped),
        warnings,
      };
    },

    /** Lockdowns, newest first (active only when asked). */
    list(options: { active?: boolean } = {}): LockdownRecord[] {
      const rows = options.active
        ? activeRows()
        : (runCompiled(
            store.sqlite,
            db.selectFrom('lockdowns').selectAll().orderBy('started_at', 'desc').compile(),
          ) as LockdownRow[]);
      return rows.map((l) => {
        const { frozen, clients } = clientsOf(l);
        return toRecord(
          l,
          clients,
          clients.filter((c) => frozen.includes(c.id)).map((c) => c.name),
          clients.filter((c) => !frozen.includes(c.id)).map((c) => c.name),
        );
      });
    },
  };
}

export type LockdownService = ReturnType<typeof createLockdownService>;
