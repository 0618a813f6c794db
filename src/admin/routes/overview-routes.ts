/**
 * The dashboard's overview in one read, computed from the audit store: requests per minute by
 * decision, denials by rule, upstream latency p50/p99, open alerts, and (for a role that may read
 * keys) the keys due for rotation. The posture score has its own route.
 */
import { z } from 'zod';
import { type Actor, KeywardenError } from '../../core/index.js';
import { DEFAULT_ROTATION_POLICY, rotationState } from '../../rotation/index.js';
import type { AdminServices } from '../admin-services.js';
import { allows } from '../permissions.js';
import { route } from '../route-types.js';

const MINUTE = 60_000;

export const overviewView = z.object({
  since: z.number(),
  minutes: z.number(),
  requestsPerMinute: z.array(
    z.object({ minute: z.number(), allow: z.number(), deny: z.number(), wouldDeny: z.number() }),
  ),
  denialsByRule: z.array(z.object({ rule: z.string(), count: z.number() })),
  latency: z.object({ p50: z.number().nullable(), p99: z.number().nullable(), samples: z.number() }),
  openAlerts: z.number(),
  /** Null when the caller's role may not read keys. */
  keysDue: z
    .array(
      z.object({
        id: z.string(),
        label: z.string(),
        status: z.enum(['due_soon', 'overdue']),
        dueAt: z.number(),
      }),
    )
    .nullable(),
});

/** The nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? null;
}

export function overviewRoutes(s: AdminServices) {
  const need = (a: Actor | undefined) => {
    if (!a) throw new KeywardenError('session_required');
    return a;
  };
  return [
    route({
      method: 'GET',
      url: '/api/v1/overview',
      id: 'overview.show',
      summary: 'Requests per minute by decision, denials by rule, latency p50/p99, open alerts, keys due',
      tag: 'audit',
      permission: 'audit.read',
      query: z.object({ minutes: z.coerce.number().int().min(1).max(1440).optional() }).strict(),
      response: overviewView,
      async handler({ query, actor }) {
        const minutes = query.minutes ?? 30;
        const now = s.clock.now();
        const since = Math.floor((now - (minutes - 1) * MINUTE) / MINUTE) * MINUTE;
        const buckets = Array.from({ length: minutes }, (_, i) => ({
          minute: since + i * MINUTE,
          allow: 0,
          deny: 0,
          wouldDeny: 0,
        }));
        const rules = new Map<string, number>();
        for (const r of await s.auditRecords({ kind: 'request', since })) {
          const b = buckets[Math.floor((r.at - since) / MINUTE)];
          if (r.decision === 'deny') {
            rules.set(r.rule ?? 'unknown', (rules.get(r.rule ?? 'unknown') ?? 0) + 1);
            if (b) b.deny++;
          } else if (r.decision === 'would-deny') {
            if (b) b.wouldDeny++;
          } else if (b) b.allow++;
        }
        const latencies = (await s.auditRecords({ kind: 'outcome', since }))
          .flatMap((r) => (typeof r.latencyMs === 'number' ? [r.latencyMs] : []))
          .sort((a, b) => a - b);
        const acked = new Set<number>();
        for (const r of await s.auditRecords({ kind: 'admin', action: 'alerts.ack' })) {
          const seq = (r.detail?.params as { seq?: unknown } | undefined)?.seq;
          if (typeof seq === 'number') acked.add(seq);
        }
        const openAlerts = (await s.auditRecords({ kind: 'alert', descending: true, limit: 500 })).filter(
          (a) => !acked.has(a.seq),
        ).length;
        let keysDue: z.input<typeof overviewView>['keysDue'] = null;
        if (allows(need(actor).role, 'keys.read')) {
          const policy = s.rotationPolicy ?? DEFAULT_ROTATION_POLICY;
          keysDue = (await s.keys.list()).flatMap((k) => {
            const st = rotationState(k, policy, now);
            return st.status === 'due_soon' || st.status === 'overdue'
              ? [{ id: k.id, label: k.label, status: st.status, dueAt: st.dueAt }]
              : [];
          });
        }
        return {
          since,
          minutes,
          requestsPerMinute: buckets,
          denialsByRule: [...rules]
            .map(([rule, count]) => ({ rule, count }))
            .sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule)),
          latency: {
            p50: percentile(latencies, 50),
            p99: percentile(latencies, 99),
            samples: latencies.length,
          },
          openAlerts,
          keysDue,
        };
      },
    }),
  ];
}
