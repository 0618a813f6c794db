/**
 * Lockdown: one command freezes every client of a key (one client, or everything) at once,
 * optionally cancels the open orders with the real key, raises a critical alert and writes an
 * incident report; `unlock` reverses exactly that lockdown.
 *
 * The steps: freeze (one write transaction, lockdown-store.ts, that also bumps
 * `clients_version`: every gateway on SQLite reads it on every request, every gateway on
 * PostgreSQL is told by the NOTIFY of that transaction's COMMIT), alert, audit, cancel open
 * orders, incident report. Once `lockdown()` has returned — in fact once its first step has —
 * no gateway, in this process or another, accepts a new request from those clients. Requests
 * already past authentication finish. Only the freeze can fail the command; what follows is
 * reported as warnings.
 */
import type { AuditEvent } from '../audit/index.js';
import type { ExchangeId } from '../core/index.js';
import { KeywardenError, prefixedId } from '../core/index.js';
import { type KeyRecord, leaseNonce } from '../keys/index.js';
import { writeIncidentReport } from './incident-report.js';
import {
  type ClientRow,
  createLockdownStore,
  type LockdownRow,
  type LockdownWrites,
} from './lockdown-store.js';
import {
  type CancelOutcome,
  DEFAULT_REPORT_HOURS,
  type LockdownClient,
  type LockdownDeps,
  type LockdownInput,
  type LockdownRecord,
  type LockdownResult,
  type LockdownScope,
  type UnlockInput,
  type UnlockResult,
} from './lockdown-types.js';

const MAX_REASON = 500;

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

const toClient = (c: ClientRow): LockdownClient => ({
  id: c.id,
  name: c.name,
  exchange: c.exchange as ExchangeId,
  keyId: c.key_id,
});

function toRecord(
  row: LockdownRow,
  clients: LockdownClient[],
  frozenNames: string[],
  already: string[],
): LockdownRecord {
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
  if (row.target_id !== null) record.target = { id: row.target_id, label: row.target_label ?? row.target_id };
  if (row.ended_at !== null) record.endedAt = row.ended_at;
  if (row.unlock_reason !== null) record.unlockReason = row.unlock_reason;
  if (row.cancel_json !== null) record.cancel = JSON.parse(row.cancel_json) as CancelOutcome[];
  if (row.report_path !== null) record.reportPath = row.report_path;
  return record;
}

/** Step 1, the one that must not fail half-way: freeze every active client in scope and record the lockdown. */
async function freezeStep(
  q: LockdownWrites,
  scope: LockdownScope,
  key: KeyRecord | undefined,
  row: Omit<LockdownRow, 'target_id' | 'target_label' | 'clients_json' | 'frozen_json'>,
) {
  let target: { id: string; label: string } | undefined;
  let clientId: string | undefined;
  if (scope.kind === 'key' && key) target = { id: key.id, label: key.label };
  if (scope.kind === 'client') {
    const r = await q.client(scope.ref);
    if (r.status === 'revoked')
      throw new KeywardenError('invalid_input', `client "${r.name}" is revoked; nothing to lock down`);
    target = { id: r.id, label: r.name };
    clientId = r.id;
  }
  const inScope = await q.clientsInScope({
    ...(scope.kind === 'key' && key ? { keyId: key.id } : {}),
    ...(clientId !== undefined ? { clientId } : {}),
  });
  const toFreeze = inScope.filter((c) => c.status === 'active');
  await q.setStatus(
    toFreeze.map((c) => c.id),
    'active',
    'frozen',
    row.started_at,
  );
  const full: LockdownRow = {
    ...row,
    target_id: target?.id ?? null,
    target_label: target?.label ?? null,
    clients_json: JSON.stringify(inScope.map((c) => c.id)),
    frozen_json: JSON.stringify(toFreeze.map((c) => c.id)),
  };
  await q.insert(full);
  return { row: full, inScope, toFreeze };
}

/** The unlock transaction: end the selected lockdowns, hand clients still covered by another over to it, unfreeze the rest. */
async function unlockStep(
  q: LockdownWrites,
  input: UnlockInput,
  scope: LockdownScope | undefined,
  key: KeyRecord | undefined,
  end: { at: number; reason: string; actor: string },
) {
  const active = await q.active();
  let targetId: string | undefined;
  if (scope?.kind === 'key' && key) targetId = key.id;
  if (scope?.kind === 'client') targetId = (await q.client(scope.ref)).id;
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
      .map((l) => `${l.id} (${l.scope === 'all' ? '--all' : `--${l.scope} ${l.target_label ?? ''}`})`);
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
  const statuses = await q.clientsById(selected.flatMap((l) => parseIds(l.frozen_json)));
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
    await q.end(l.id, end.at, end.reason, end.actor);
  }
  for (const h of new Set(handedOver.map((h) => h.lockdownId)))
    await q.setFrozen(h, [...new Set(frozenOf.get(h) ?? [])]);
  await q.setStatus(unfreeze, 'frozen', 'active', end.at);
  return { selected, unfreeze, handedOver, skipped, statuses };
}

/** The `lockdown` system event (critical alert) for a lockdown that took effect. */
function lockdownAlert(record: LockdownRecord, key: KeyRecord | undefined, input: LockdownInput) {
  const where = scopeText(record.scope, record.target);
  return {
    type: 'system' as const,
    at: record.startedAt,
    kind: 'lockdown' as const,
    ...(key ? { keyLabel: key.label } : {}),
    ...(input.scope.kind === 'client' && record.target ? { client: record.target.label } : {}),
    message: `lockdown ${record.id} of ${where}: ${record.frozen.length} client(s) frozen${
      record.frozen.length > 0 ? ` (${record.frozen.slice(0, 20).join(', ')})` : ''
    }; reason: ${record.reason}${input.cancelOrders ? '; cancelling open orders' : ''}`,
    detail: {
      lockdownId: record.id,
      scope: record.scope,
      frozen: record.frozen.length,
      alreadyFrozen: record.alreadyFrozen.length,
      cancelOrders: input.cancelOrders === true,
    },
  };
}

/** The audit records of a lockdown: one `client.freeze` per client it froze, then the `lockdown` itself. */
function lockdownEvents(
  record: LockdownRecord,
  toFreeze: ClientRow[],
  key: KeyRecord | undefined,
  input: LockdownInput,
): AuditEvent[] {
  const first = record.clients[0];
  return [
    ...toFreeze.map(
      (c): AuditEvent => ({
        kind: 'admin',
        action: 'client.freeze',
        clientId: c.id,
        keyId: c.key_id,
        exchange: c.exchange,
        detail: { name: c.name, lockdown: record.id, reason: record.reason },
      }),
    ),
    {
      kind: 'admin',
      action: 'lockdown',
      ...(key ? { keyId: key.id, exchange: key.exchange } : {}),
      ...(input.scope.kind === 'client' && first ? { clientId: first.id, exchange: first.exchange } : {}),
      message: record.reason,
      detail: {
        lockdown: record.id,
        scope: record.scope,
        ...(record.target ? { target: record.target.label } : {}),
        frozen: record.frozen,
        alreadyFrozen: record.alreadyFrozen,
        cancelOrders: input.cancelOrders === true,
      },
    },
  ];
}

function cancelEvents(lockdownId: string, cancel: CancelOutcome[]): AuditEvent[] {
  return cancel.map(
    (c): AuditEvent => ({
      kind: 'admin',
      action: 'lockdown.cancel_orders',
      keyId: c.keyId,
      exchange: c.exchange,
      detail: {
        lockdown: lockdownId,
        key: c.keyLabel,
        cancelled: c.cancelled,
        failed: c.failed.length,
        ...(c.error ? { error: c.error } : {}),
      },
    }),
  );
}

function cancelWarnings(cancel: CancelOutcome[]): string[] {
  const out: string[] = [];
  for (const c of cancel) {
    if (c.error) out.push(`open orders of key ${c.keyLabel} were not cancelled: ${c.error}`);
    else if (c.failed.length > 0)
      out.push(`${c.failed.length} order(s) of key ${c.keyLabel} could not be cancelled`);
  }
  return out;
}

/** The audit records of an unlock: one `client.unfreeze` per client, then one `unlock` per lockdown ended. */
function unlockEvents(
  outcome: Awaited<ReturnType<typeof unlockStep>>,
  ended: LockdownRecord[],
  reason: string,
  names: (ids: string[]) => string[],
): AuditEvent[] {
  return [
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
  ];
}

export function createLockdownService(deps: LockdownDeps) {
  const store = createLockdownStore(deps.store);
  const now = deps.now ?? Date.now;
  const actor = deps.actor ?? 'cli';

  async function resolveKey(ref: string): Promise<KeyRecord> {
    const key = await deps.keys.get(ref);
    if (!key) throw new KeywardenError('not_found', `no exchange key "${ref.slice(0, 64)}"`);
    return key;
  }

  /** The clients a lockdown covered (as they are now) and the ids it froze. */
  async function clientsOf(l: LockdownRow): Promise<{ frozen: string[]; clients: LockdownClient[] }> {
    const clients = [...(await store.clientsById(parseIds(l.clients_json))).values()].map(toClient);
    return { frozen: parseIds(l.frozen_json), clients };
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
    // Leased like the gateway's signing: on PostgreSQL another instance's Kraken request in
    // flight cannot be overtaken (EAPI:Invalid nonce) by the cancel-all.
    let nonce: Awaited<ReturnType<typeof leaseNonce>> | undefined;
    try {
      const baseUrl = exchanges.baseUrl(key.exchange);
      const credential = await deps.keys.credential(key.id);
      nonce = await leaseNonce(exchanges, key.id);
      const result = await adapter.cancelAllOrders(credential, exchanges.transport(key.exchange), {
        clock: { now },
        nonce,
        baseUrl,
      });
      return { ...base, cancelled: result.cancelled, failed: result.failed.slice(0, 100) };
    } catch (err) {
      return { ...base, error: failureText(err) };
    } finally {
      nonce?.release();
    }
  }

  async function append(events: AuditEvent[], warnings: string[]): Promise<void> {
    const results = await Promise.allSettled(events.map((e) => deps.audit.append({ actor, ...e })));
    const failed = results.filter((r) => r.status === 'rejected').length;
    if (failed > 0) warnings.push(`${failed} audit record(s) could not be written`);
  }

  /** Step 5: the incident report, written once the rest is known; its path goes into the record. */
  async function reportStep(record: LockdownRecord, key: KeyRecord | undefined, hours: number) {
    const keyLabels = new Map<string, string>();
    for (const c of record.clients)
      if (!keyLabels.has(c.keyId)) keyLabels.set(c.keyId, (await deps.keys.get(c.keyId))?.label ?? c.keyId);
    if (key) keyLabels.set(key.id, key.label);
    record.reportPath = await writeIncidentReport(deps.store, {
      lockdown: record,
      keyLabels,
      hours,
      now: now(),
    });
    await store.setReportPath(record.id, record.reportPath);
  }

  return {
    async lockdown(input: LockdownInput): Promise<LockdownResult> {
      const reason = cleanReason(input.reason, false);
      const hours = input.reportHours ?? DEFAULT_REPORT_HOURS;
      if (!(hours > 0 && hours <= 24 * 90))
        throw new KeywardenError('invalid_input', 'report hours must be between 1 and 2160');
      const key = input.scope.kind === 'key' ? await resolveKey(input.scope.ref) : undefined;
      const { row, inScope, toFreeze } = await store.write((q) =>
        freezeStep(q, input.scope, key, {
          id: prefixedId('ld', 20),
          scope: input.scope.kind,
          reason,
          actor,
          started_at: now(),
          ended_at: null,
          unlock_reason: null,
          unlock_actor: null,
          cancel_json: null,
          report_path: null,
        }),
      );
      const warnings: string[] = [];
      const frozenIds = new Set(toFreeze.map((c) => c.id));
      const record = toRecord(
        row,
        inScope.map(toClient),
        toFreeze.map((c) => c.name),
        inScope.filter((c) => !frozenIds.has(c.id)).map((c) => c.name),
      );

      // The freeze holds from here on; everything below is reporting and clean-up.
      try {
        deps.monitor?.observe(lockdownAlert(record, key, input));
      } catch {
        warnings.push('the lockdown alert could not be raised');
      }
      await append(lockdownEvents(record, toFreeze, key, input), warnings);
      if (input.cancelOrders) {
        const keys = await keysToCancel(input.scope, key, record.clients);
        record.cancel = await Promise.all(keys.map(cancelFor));
        await store.setCancel(row.id, JSON.stringify(record.cancel));
        await append(cancelEvents(row.id, record.cancel), warnings);
        warnings.push(...cancelWarnings(record.cancel));
      }
      try {
        await reportStep(record, key, hours);
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
      const outcome = await store.write((q) => unlockStep(q, input, scope, key, { at: t, reason, actor }));
      const names = (ids: string[]) => ids.map((id) => outcome.statuses.get(id)?.name ?? id);
      const ended: LockdownRecord[] = [];
      for (const l of outcome.selected) {
        const { frozen, clients } = await clientsOf(l);
        ended.push(
          toRecord(
            { ...l, ended_at: t, unlock_reason: reason },
            clients,
            names(frozen),
            clients.filter((c) => !frozen.includes(c.id)).map((c) => c.name),
          ),
        );
      }
      await append(unlockEvents(outcome, ended, reason, names), warnings);
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
    async list(options: { active?: boolean } = {}): Promise<LockdownRecord[]> {
      const out: LockdownRecord[] = [];
      for (const l of await store.list(options)) {
        const { frozen, clients } = await clientsOf(l);
        out.push(
          toRecord(
            l,
            clients,
            clients.filter((c) => frozen.includes(c.id)).map((c) => c.name),
            clients.filter((c) => !frozen.includes(c.id)).map((c) => c.name),
          ),
        );
      }
      return out;
    },
  };
}

export type LockdownService = ReturnType<typeof createLockdownService>;
