/** Audit, alerts, lockdown and unlock, and the vault's seal. */
import { z } from 'zod';
import { type Actor, describeActor, KeywardenError } from '../../core/index.js';
import type { AdminServices } from '../admin-services.js';
import { gated, hold } from '../gated-changes.js';
import { route } from '../route-types.js';

const PAGE_MAX = 500;
const EXPORT_PAGE = 500;
const record = z.object({
  seq: z.number(),
  at: z.number(),
  kind: z.string(),
  actor: z.string().optional(),
  requestId: z.string().optional(),
  clientId: z.string().optional(),
  keyId: z.string().optional(),
  exchange: z.string().optional(),
  action: z.string().optional(),
  endpoint: z.string().optional(),
  symbol: z.string().optional(),
  side: z.string().optional(),
  notional: z.number().optional(),
  decision: z.string().optional(),
  rule: z.string().optional(),
  message: z.string().optional(),
  sourceIp: z.string().optional(),
  upstreamStatus: z.number().optional(),
  latencyMs: z.number().optional(),
  hmacs: z.record(z.string(), z.string()).optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
  prevHash: z.string(),
  hash: z.string(),
});

const int = z.coerce.number().int().min(0);
const auditQuery = z
  .object({
    kind: z.enum(['request', 'outcome', 'admin', 'alert']).optional(),
    clientId: z.string().max(128).optional(),
    keyId: z.string().max(128).optional(),
    action: z.string().max(64).optional(),
    decision: z.enum(['allow', 'deny', 'would-deny']).optional(),
    since: int.optional(),
    until: int.optional(),
    cursor: int.optional(),
    limit: z.coerce.number().int().min(1).max(PAGE_MAX).optional(),
  })
  .strict();

const scope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }).strict(),
  z.object({ kind: z.literal('key'), ref: z.string().min(1).max(128) }).strict(),
  z.object({ kind: z.literal('client'), ref: z.string().min(1).max(128) }).strict(),
]);

export function oversightRoutes(s: AdminServices) {
  const need = (a: Actor | undefined) => {
    if (!a) throw new KeywardenError('session_required');
    return a;
  };
  return [
    route({
      method: 'GET',
      url: '/api/v1/audit',
      id: 'audit.query',
      summary: 'Query audit records, oldest first; `cursor` is the last `seq` seen (nextCursor)',
      tag: 'audit',
      permission: 'audit.read',
      query: auditQuery,
      response: z.object({ records: z.array(record), nextCursor: z.number().nullable() }),
      async handler({ query }) {
        const limit = query.limit ?? 100;
        const { cursor, ...filter } = query;
        const records = await s.auditRecords({
          ...filter,
          ...(cursor !== undefined ? { afterSeq: cursor } : {}),
          limit,
        });
        return { records, nextCursor: records.length === limit ? (records.at(-1)?.seq ?? null) : null };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/audit/verify',
      id: 'audit.verify',
      summary: 'Verify the hash chain and the signed checkpoints',
      tag: 'audit',
      permission: 'audit.read',
      response: z.object({ ok: z.boolean(), records: z.number(), problems: z.array(z.string()) }).loose(),
      // The verifier names at most one problem (the first bad record); answered as a list.
      handler: async () => {
        const { problem, ...rest } = await s.verifyAudit();
        return { ...rest, problems: problem !== undefined ? [problem] : [] };
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/audit/export',
      id: 'audit.export',
      summary:
        'Export audit records as NDJSON, oldest first, streamed page by page (never buffered whole); same filters as the query',
      tag: 'audit',
      permission: 'audit.read',
      stream: true,
      query: auditQuery.omit({ limit: true }),
      response: record,
      async handler({ query }) {
        const { cursor, ...filter } = query;
        return (async function* () {
          let after = cursor ?? 0;
          for (;;) {
            const page = await s.auditRecords({ ...filter, afterSeq: after, limit: EXPORT_PAGE });
            yield* page;
            const last = page.at(-1);
            if (page.length < EXPORT_PAGE || !last) return;
            after = last.seq;
            // Let other requests run between pages.
            await new Promise((resolve) => setImmediate(resolve));
          }
        })();
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/alerts',
      id: 'alerts.list',
      summary: 'Alerts raised (from the audit log), newest first, with who acknowledged them',
      tag: 'alerts',
      permission: 'alerts.read',
      query: z.object({ limit: z.coerce.number().int().min(1).max(PAGE_MAX).optional() }).strict(),
      response: z.object({
        alerts: z.array(
          z.object({
            seq: z.number(),
            at: z.number(),
            rule: z.string().optional(),
            message: z.string().optional(),
            acknowledgedBy: z.string().nullable(),
            acknowledgedAt: z.number().nullable(),
            note: z.string().optional(),
          }),
        ),
      }),
      async handler({ query }) {
        const alerts = await s.auditRecords({ kind: 'alert', descending: true, limit: query.limit ?? 100 });
        const acks = await s.alertAcks.of(alerts.map((a) => a.seq));
        return {
          alerts: alerts.map((a) => {
            const ack = acks.get(a.seq);
            return {
              seq: a.seq,
              at: a.at,
              rule: a.rule,
              message: a.message,
              acknowledgedBy: ack?.by ?? null,
              acknowledgedAt: ack?.at ?? null,
              ...(ack?.note !== undefined ? { note: ack.note } : {}),
            };
          }),
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/alerts/:seq/ack',
      id: 'alerts.ack',
      summary: 'Acknowledge an alert: who and when are stored (the first acknowledgement stands) and audited',
      tag: 'alerts',
      permission: 'alerts.ack',
      params: z.object({ seq: z.coerce.number().int().min(1) }).strict(),
      body: z.object({ note: z.string().min(1).max(500).optional() }).strict(),
      response: z.object({
        seq: z.number(),
        acknowledgedBy: z.string(),
        acknowledgedAt: z.number(),
        note: z.string().optional(),
      }),
      async handler({ params, body, actor }) {
        const [found] = await s.auditRecords({ kind: 'alert', afterSeq: params.seq - 1, limit: 1 });
        if (found?.seq !== params.seq) throw new KeywardenError('not_found', `no alert ${params.seq}`);
        const ack = await s.alertAcks.ack(params.seq, describeActor(need(actor)), s.clock.now(), body.note);
        return {
          seq: ack.seq,
          acknowledgedBy: ack.by,
          acknowledgedAt: ack.at,
          ...(ack.note !== undefined ? { note: ack.note } : {}),
        };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/lockdown',
      id: 'lockdown.engage',
      summary: 'Freeze every client of the scope at once',
      tag: 'lockdown',
      permission: 'lockdown.engage',
      mfa: true,
      auditedByService: true,
      body: z.object({ scope, reason: z.string().max(500).optional() }).strict(),
      response: z.object({
        id: z.string(),
        frozen: z.array(z.string()),
        alreadyFrozen: z.array(z.string()),
        warnings: z.array(z.string()),
      }),
      async handler({ body, actor }) {
        const service = await s.lockdownFor(need(actor));
        const result = await service.lockdown({
          scope: body.scope,
          ...(body.reason !== undefined ? { reason: body.reason } : {}),
        } as Parameters<typeof service.lockdown>[0]);
        // The service answers { lockdown, warnings }; the record's id and what it froze are the answer.
        const { id, frozen, alreadyFrozen } = result.lockdown;
        return { id, frozen, alreadyFrozen, warnings: result.warnings };
      },
    }),
    route({
      method: 'POST',
      url: '/api/v1/unlock',
      id: 'lockdown.unlock',
      summary: 'End a lockdown: unfreeze what it froze',
      tag: 'lockdown',
      permission: 'lockdown.unlock',
      mfa: true,
      auditedByService: true,
      body: z.object({ scope, reason: z.string().min(1).max(500) }).strict(),
      response: z.object({}).loose(),
      approval: 'lockdown.unlock',
      async handler({ body, actor }) {
        if (gated(s, 'lockdown.unlock', need(actor))) {
          const what = body.scope.kind === 'all' ? 'every client' : `${body.scope.kind} ${body.scope.ref}`;
          return hold(s, 'lockdown.unlock', need(actor), `unlock ${what}: ${body.reason}`, {
            scope: body.scope,
            reason: body.reason,
          });
        }
        const service = await s.lockdownFor(need(actor));
        const result = await service.unlock({ scope: body.scope, reason: body.reason } as Parameters<
          typeof service.unlock
        >[0]);
        return result as unknown as Record<string, unknown>;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/posture',
      id: 'posture.report',
      summary: 'The posture report (as `keywarden posture --json`): score, checks, keys and clients',
      tag: 'posture',
      permission: 'posture.read',
      response: z
        .object({
          schema: z.string(),
          generatedAt: z.string(),
          score: z.number(),
          counts: z.object({
            pass: z.number(),
            fail: z.number(),
            unknown: z.number(),
            notApplicable: z.number(),
          }),
          keys: z.array(z.object({}).loose()),
          clients: z.array(z.object({}).loose()),
          gateway: z.object({ score: z.number(), checks: z.array(z.object({ id: z.string() }).loose()) }),
        })
        .loose(),
      handler: async () => {
        const report = await s.posture();
        return { ...report, keys: [...report.keys], clients: [...report.clients] } as never;
      },
    }),
    route({
      method: 'GET',
      url: '/api/v1/system/seal',
      id: 'system.seal-status',
      summary: 'Whether the vault is sealed',
      tag: 'system',
      permission: 'system.read',
      response: z.object({ sealed: z.boolean() }),
      handler: async () => ({ sealed: s.vault.isSealed() }),
    }),
    route({
      method: 'POST',
      url: '/api/v1/system/seal',
      id: 'system.seal',
      summary: 'Seal the vault now: nothing is signed until it is unsealed again',
      tag: 'system',
      permission: 'system.seal',
      response: z.object({ sealed: z.boolean() }),
      handler: async () => {
        s.vault.seal();
        return { sealed: true };
      },
    }),
  ];
}
