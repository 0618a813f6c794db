/**
 * Binance's request-weight limit as the emulated exchange enforces it (rest-api.md "LIMITS"):
 * each request spends its endpoint's weight from its IP's count for the calendar minute;
 * `X-MBX-USED-WEIGHT-1M` on every answer; over the limit, HTTP 429 code -1003 with Retry-After
 * (seconds to the minute's end); an IP that goes on sending while told to wait is banned with
 * HTTP 418 and Retry-After until the ban ends. Order answers carry `X-MBX-ORDER-COUNT-10S` / `-1D`.
 * The WebSocket API emulation (./binance-ws.ts) spends the same per-IP count.
 */
import { binanceOrderCount, binanceRequestWeight } from '../exchanges/binance/index.js';
import type { ExchangeResponse } from '../exchanges/index.js';
import { json, type SandboxContext, type SandboxRequest } from './emulator.js';

type Handle = (request: SandboxRequest, ctx: SandboxContext) => ExchangeResponse | Promise<ExchangeResponse>;

const MINUTE_MS = 60_000;

/**
 * `weight`: the request's own when it is no REST request (the WebSocket API's own methods and its
 * connection, which count against the same per-IP minute); the REST endpoint's by default.
 */
export async function binanceWeightLimited(
  request: SandboxRequest,
  ctx: SandboxContext,
  handle: Handle,
  weightOverride?: number,
): Promise<ExchangeResponse> {
  const limits = ctx.limits;
  if (!limits) return handle(request, ctx);
  const now = ctx.clock.now();
  const ip = request.sourceIp;
  const { bannedUntil } = limits.admit(ip, now);
  if (bannedUntil !== undefined)
    return json(
      418,
      {
        code: -1003,
        msg: `Way too much request weight used; IP banned until ${bannedUntil}. Please use WebSocket Streams for live updates to avoid bans.`,
      },
      { 'retry-after': String(Math.ceil((bannedUntil - now) / 1000)) },
    );
  const weight = weightOverride ?? (request.path.startsWith('/sapi/') ? 1 : binanceRequestWeight(request));
  const used = limits.spend(`binance:ip:${ip}`, MINUTE_MS, weight, now);
  const usage = { 'x-mbx-used-weight-1m': String(used), 'x-mbx-used-weight': String(used) };
  const fault = limits.takeFault('binance');
  if (fault || used > limits.weightPerMinute) {
    const retryAfterSeconds = fault?.retryAfterSeconds ?? Math.ceil((MINUTE_MS - (now % MINUTE_MS)) / 1000);
    limits.refused(ip, now + retryAfterSeconds * 1000);
    const status = fault?.status ?? 429;
    return json(
      status,
      {
        code: -1003,
        msg:
          status === 418
            ? `Way too much request weight used; IP banned until ${now + retryAfterSeconds * 1000}. Please use WebSocket Streams for live updates to avoid bans.`
            : `Too much request weight used; current limit is ${limits.weightPerMinute} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
      },
      { ...usage, 'retry-after': String(retryAfterSeconds) },
    );
  }
  const answer = await handle(request, ctx);
  const headers: Record<string, string> = { ...answer.headers, ...usage };
  const orders = binanceOrderCount(request);
  const apiKey = request.headers['x-mbx-apikey'];
  if (orders > 0 && answer.status === 200 && apiKey) {
    headers['x-mbx-order-count-10s'] = String(
      limits.spend(`binance:orders10s:${apiKey}`, 10_000, orders, now),
    );
    headers['x-mbx-order-count-1d'] = String(
      limits.spend(`binance:orders1d:${apiKey}`, 86_400_000, orders, now),
    );
  }
  return { ...answer, headers };
}
