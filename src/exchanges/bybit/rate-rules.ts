/**
 * Bybit v5 limits (docs/v5/rate-limit.mdx): 600 requests per IP per 5-second window, all traffic
 * together; and per UID per endpoint per second, reported on every answer in `X-Bapi-Limit` (this
 * endpoint's limit), `X-Bapi-Limit-Status` (what is left) and `X-Bapi-Limit-Reset-Timestamp`
 * (when a broken limit resets, ms; otherwise the current time). A broken UID limit answers
 * retCode 10006 (a 429 for system-level frequency protection); the IP ban is a 403 "access too
 * frequent" that keywarden cannot tell from other 403s without reading the body (not modelled).
 *
 * WebSocket (docs/v5/websocket/trade/guideline.mdx, rate-limit.mdx "Websocket IP limit"): a
 * `/v5/trade` op answers with the same per-UID, per-op-type `X-Bapi-Limit*` values in the frame's
 * `header` object (the account limit "is shared between websocket and http"), so an op spends the
 * REST counter of its REST-equivalent endpoint; the HTTP 600-per-5-s IP limit does not apply to
 * `stream.bybit.com`, which has its own: 3000 trade requests per second per IP (retCode 10403)
 * and at most 500 new connections per IP in 5 minutes. Auth and subscriptions have no documented
 * per-request limit.
 */
import {
  type BudgetCharge,
  intHeader,
  type RateRules,
  retryAfterMs,
  usedFromRemaining,
} from '../rate-rules.js';

/** The per-UID limit of the endpoints keywarden forwards most (create / amend / cancel: 10/s on every category). */
const DEFAULT_ENDPOINT_PER_SECOND = 10;

const endpointOf = (path: string) => path.replace(/\/+$/, '');
const WS_TRADE_PER_SECOND = 3_000;
const WS_CONNECTS_PER_5M = 500;

export const bybitRateRules: RateRules = {
  limits: [
    { id: 'ip-requests-5s', scope: 'ip', kind: 'window', windowMs: 5_000, limit: 600 },
    {
      id: 'key-endpoint-1s',
      scope: 'key',
      kind: 'window',
      windowMs: 1_000,
      limit: DEFAULT_ENDPOINT_PER_SECOND,
    },
    { id: 'ip-ws-trade-1s', scope: 'ip', kind: 'window', windowMs: 1_000, limit: WS_TRADE_PER_SECOND },
    { id: 'ip-ws-connect-5m', scope: 'ip', kind: 'window', windowMs: 300_000, limit: WS_CONNECTS_PER_5M },
  ],
  wsCost(request, ws) {
    const charges: BudgetCharge[] = request.path.startsWith('/v5/order/')
      ? [
          { limit: 'ip-ws-trade-1s', units: 1 },
          { limit: 'key-endpoint-1s', units: 1, endpoint: endpointOf(request.path) },
        ]
      : [];
    return ws.opens ? [...charges, { limit: 'ip-ws-connect-5m', units: 1 }] : charges;
  },
  cost(request) {
    const charges: BudgetCharge[] = [{ limit: 'ip-requests-5s', units: 1 }];
    if (!request.path.startsWith('/v5/market/'))
      charges.push({ limit: 'key-endpoint-1s', units: 1, endpoint: endpointOf(request.path) });
    return charges;
  },
  observe(status, headers, { now, defaultRetryAfterMs, request }) {
    const cap = intHeader(headers, 'x-bapi-limit');
    const used = usedFromRemaining(cap, intHeader(headers, 'x-bapi-limit-status'));
    const observation = {
      used:
        used === undefined || cap === undefined
          ? []
          : [{ limit: 'key-endpoint-1s', endpoint: endpointOf(request.path), used, cap }],
    };
    if (status !== 429) return observation;
    const reset = intHeader(headers, 'x-bapi-limit-reset-timestamp');
    const retry =
      retryAfterMs(headers['retry-after'], now) ??
      (reset !== undefined && reset > now ? reset - now : defaultRetryAfterMs);
    return {
      ...observation,
      stop: { scope: 'key', retryAfterMs: retry, status, reason: 'request rate (429)' },
    };
  },
};

/**
 * A `/v5/trade` answer's rate-limit state (its `header` object: `X-Bapi-Limit`,
 * `X-Bapi-Limit-Status`, `X-Bapi-Limit-Reset-Timestamp`) as the REST answer's lower-case headers.
 */
export function bybitWsUsageHeaders(text: string): Record<string, string> {
  let v: { header?: unknown };
  try {
    v = JSON.parse(text) as { header?: unknown };
  } catch {
    return {};
  }
  if (typeof v !== 'object' || v === null || typeof v.header !== 'object' || v.header === null) return {};
  const out: Record<string, string> = {};
  for (const [k, value] of Object.entries(v.header as Record<string, unknown>)) {
    const name = k.toLowerCase();
    if (name.startsWith('x-bapi-limit') && typeof value === 'string') out[name] = value;
  }
  return out;
}
