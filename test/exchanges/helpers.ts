/**
 * Shared builders for the exchange adapter tests: requests, pinned sign and verify contexts,
 * canned upstream answers, and the endpoint-table check every adapter's classify test runs.
 * What is specific to one exchange (vectors, endpoints, codes) stays in its own test file.
 */
import { expect, it } from 'vitest';
import type { Action } from '../../src/core/index.js';
import type {
  ExchangeAdapter,
  ExchangeRequest,
  ExchangeResponse,
  OrderIntent,
  SignContext,
  VerifyContext,
  WithdrawalIntent,
} from '../../src/exchanges/adapter.js';
import { createMemoryNonceLedger } from '../../src/exchanges/memory-nonce-ledger.js';

export function req(method: string, path: string, body = '', query = ''): ExchangeRequest {
  return { method, path, query, headers: {}, body };
}

export const get = (path: string, query = ''): ExchangeRequest => req('GET', path, '', query);

export const post = (path: string, body: string): ExchangeRequest => req('POST', path, body);

/** A sign context whose clock stands still at `nowMs` and whose nonce source always answers `nonce`. */
export function signCtxAt(nowMs: number, baseUrl = '', nonce = '0'): SignContext {
  return { clock: { now: () => nowMs }, nonce: { next: () => nonce }, baseUrl };
}

/** A verify context at `nowMs` with a fresh nonce ledger, as the gateway mounted at `host` + `prefix`. */
export function verifyCtxAt(nowMs: number, prefix: string, host = '127.0.0.1'): VerifyContext {
  return { clock: { now: () => nowMs }, nonces: createMemoryNonceLedger(), origin: { host, prefix } };
}

/** An upstream answer: `body` as given when a string, JSON-encoded otherwise. */
export function reply(body: unknown, status = 200): ExchangeResponse {
  return { status, headers: {}, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/**
 * One test per row: the adapter classifies `method path` as `action` under the endpoint name
 * `method path`. Names read `POST /path is trade`, the same for every exchange.
 */
export function itClassifiesEach(adapter: ExchangeAdapter, table: Array<[string, string, Action]>): void {
  it.each(table)('%s %s is %s', (method, path, action) => {
    const c = adapter.classify(req(method, path));
    expect(c.action).toBe(action);
    expect(c.endpoint).toBe(`${method} ${path}`);
  });
}

/** Where a classified request goes: method, path, then body and query (both empty by default). */
type At = [method: string, path: string, body?: string, query?: string];

/** The order intents the adapter reads from one request. */
export const ordersOf = (adapter: ExchangeAdapter, ...at: At): OrderIntent[] =>
  adapter.classify(req(...at)).orders;

/** The withdrawal (or transfer) intent the adapter reads from one request. */
export const withdrawalOf = (adapter: ExchangeAdapter, ...at: At): WithdrawalIntent | undefined =>
  adapter.classify(req(...at)).withdrawal;

/** A transport that keeps every request the adapter sends and answers each with `answer(request)`. */
export function recordingTransport(answer: (request: ExchangeRequest) => ExchangeResponse) {
  const sent: ExchangeRequest[] = [];
  const transport = async (request: ExchangeRequest): Promise<ExchangeResponse> => {
    sent.push(request);
    return answer(request);
  };
  return { sent, transport };
}

/** Each raw exchange symbol normalises to the unified one paired with it (undefined: not understood). */
export function expectSymbols(
  normalise: (raw: string) => string | undefined,
  pairs: Array<[raw: string, unified: string | undefined]>,
): void {
  for (const [raw, unified] of pairs) expect(normalise(raw), raw).toBe(unified);
}

/** What one order costs at its own limit price or quote size (no market data): classify tests compare it. */
export function limitNotional(o: OrderIntent | undefined): number | undefined {
  if (!o) return undefined;
  if (o.quoteQuantity !== undefined) return o.quoteQuantity;
  if (o.contracts || o.quantity === undefined || o.price === undefined) return undefined;
  return o.quantity * o.price;
}
