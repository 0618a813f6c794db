/**
 * The live request feed (dashboard): the gateway's request records as they are appended, read
 * back from the audit store, so a gateway in another process (`keywarden serve`) feeds it too.
 * `GET /api/v1/feed` answers the newest page as JSON, or, asked for `text/event-stream`, sends
 * them and then every new one (event `request`, id = its audit seq, so a reconnect resumes).
 */
import { z } from 'zod';
import type { AuditRecord } from '../../audit/index.js';
import type { AdminServices } from '../admin-services.js';
import { route } from '../route-types.js';

const BACKLOG = 50;
const POLL_MS = 250;

export const feedItem = z.object({
  seq: z.number(),
  at: z.number(),
  requestId: z.string().optional(),
  client: z.string().optional(),
  clientId: z.string().optional(),
  exchange: z.string().optional(),
  action: z.string().optional(),
  endpoint: z.string().optional(),
  symbol: z.string().optional(),
  side: z.string().optional(),
  notional: z.number().optional(),
  decision: z.string().optional(),
  rule: z.string().optional(),
  message: z.string().optional(),
});
export type FeedItem = z.infer<typeof feedItem>;

const feedQuery = z
  .object({
    /** A client's name or id. */
    client: z.string().min(1).max(128).optional(),
    decision: z.enum(['allow', 'deny', 'would-deny']).optional(),
  })
  .strict();

/** Only what the feed shows: never the HMACs, the source IP or the detail. */
export function toFeedItem(r: AuditRecord): FeedItem {
  return feedItem.parse({
    seq: r.seq,
    at: r.at,
    requestId: r.requestId,
    client: r.actor,
    clientId: r.clientId,
    exchange: r.exchange,
    action: r.action,
    endpoint: r.endpoint,
    symbol: r.symbol,
    side: r.side,
    notional: r.notional,
    decision: r.decision,
    rule: r.rule,
    message: r.message,
  });
}

function matcher(q: z.infer<typeof feedQuery>): (r: AuditRecord) => boolean {
  return (r) =>
    (q.client === undefined || r.actor === q.client || r.clientId === q.client) &&
    (q.decision === undefined || r.decision === q.decision);
}

export function feedRoutes(s: AdminServices) {
  const newest = async (q: z.infer<typeof feedQuery>) =>
    (await s.auditRecords({ kind: 'request', descending: true, limit: BACKLOG * 10 }))
      .filter(matcher(q))
      .slice(0, BACKLOG)
      .reverse();
  return [
    route({
      method: 'GET',
      url: '/api/v1/feed',
      id: 'feed.requests',
      summary:
        'Gateway requests as they happen: the newest page as JSON, or a server-sent event stream (Accept: text/event-stream)',
      tag: 'audit',
      permission: 'audit.read',
      query: feedQuery,
      response: z.object({ items: z.array(feedItem) }),
      handler: async ({ query }) => ({ items: (await newest(query)).map(toFeedItem) }),
      events({ query }, send, lastEventId) {
        const wanted = matcher(query);
        const resumeAt = Number(lastEventId);
        let cursor = 0;
        let stopped = false;
        let timer: NodeJS.Timeout | undefined;
        const start = async () => {
          if (Number.isInteger(resumeAt) && resumeAt >= 0) {
            cursor = resumeAt;
            return;
          }
          const backlog = await newest(query);
          if (stopped) return;
          for (const r of backlog) send({ id: String(r.seq), event: 'request', data: toFeedItem(r) });
          cursor =
            backlog.at(-1)?.seq ??
            (await s.auditRecords({ kind: 'request', descending: true, limit: 1 }))[0]?.seq ??
            0;
        };
        const poll = async () => {
          const fresh = await s.auditRecords({ kind: 'request', afterSeq: cursor, limit: 500 });
          for (const r of fresh) {
            if (stopped) return;
            cursor = r.seq;
            if (wanted(r)) send({ id: String(r.seq), event: 'request', data: toFeedItem(r) });
          }
        };
        // One read at a time (the store may be PostgreSQL, a round trip away): the next poll is
        // scheduled when the last one settled, so pages never overlap or arrive out of order. A
        // failed read (store away) is retried at the next poll.
        const next = () => {
          if (stopped) return;
          timer = setTimeout(
            () =>
              void poll()
                .catch(() => undefined)
                .finally(next),
            POLL_MS,
          );
        };
        void start()
          .catch(() => undefined)
          .finally(next);
        return () => {
          stopped = true;
          clearTimeout(timer);
        };
      },
    }),
  ];
}
