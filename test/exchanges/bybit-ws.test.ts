/**
 * Bybit WebSocket frames and auth (src/exchanges/bybit/ws*.ts): trade frames become their
 * /v5/order REST equivalents with the frame header's recv window and Referer kept; the auth is
 * verified with Bybit's scheme (expires ahead, at most 60 s, signature over 'GET/realtime' +
 * expires) and names a replay key; a frame that is no auth never verifies itself; the auth is
 * re-signed with the real key and the secret is in no upstream frame.
 */
import { describe, expect, it } from 'vitest';
import { bybit, bybitWsAuthSignature, bybitWsAuthVerify } from '../../src/exchanges/bybit/index.js';
import type { ExchangeAdapter, WsAdapter } from '../../src/exchanges/index.js';
import { createMemoryNonceLedger } from '../../src/exchanges/index.js';

const ws = bybit.ws as WsAdapter;
const adapter: ExchangeAdapter = ws.requestAdapter;
const NOW = 1_796_000_000_000;
const verifier = { apiKey: 'kw_client', secret: 'client-secret' };
const ctx = {
  clock: { now: () => NOW },
  nonces: createMemoryNonceLedger(),
  origin: { host: 'h', prefix: '/bybit' },
};
const order = {
  category: 'spot',
  symbol: 'BTCUSDT',
  side: 'Buy',
  orderType: 'Limit',
  qty: '0.001',
  price: '1',
};

function authFrame(expires = NOW + 10_000, sign?: string) {
  const e = String(expires);
  return JSON.stringify({
    op: 'auth',
    args: [verifier.apiKey, e, sign ?? bybitWsAuthSignature(e, verifier.secret)],
  });
}

function requestOf(text: string, path = '/v5/trade') {
  const f = ws.parseFrame(text, path);
  if (f.kind !== 'request' && f.kind !== 'login') throw new Error(`not a request: ${JSON.stringify(f)}`);
  return f;
}

describe('Bybit WebSocket frames', () => {
  it('a trade op becomes its /v5/order REST equivalent; the header keeps its recv window and Referer', () => {
    const f = requestOf(
      JSON.stringify({
        reqId: 'r1',
        header: { 'X-BAPI-TIMESTAMP': String(NOW), 'X-BAPI-RECV-WINDOW': '8000', Referer: 'bot' },
        op: 'order.create',
        args: [order],
      }),
    );
    expect(f).toMatchObject({ kind: 'request', id: 'r1' });
    expect(f.request).toMatchObject({
      method: 'POST',
      path: '/v5/order/create',
      body: JSON.stringify(order),
    });
    expect(adapter.classify(f.request)).toMatchObject({ action: 'trade', endpoint: 'POST /v5/order/create' });
    const signed = adapter.sign(
      adapter.stripAuth(f.request),
      { apiKey: 'real', secret: 's' },
      {
        clock: { now: () => NOW + 5 },
        nonce: { next: () => '0' },
        baseUrl: '',
      },
    );
    const up = JSON.parse(ws.upstreamFrame(9, signed)) as Record<string, unknown>;
    expect(up).toMatchObject({
      reqId: '9',
      op: 'order.create',
      args: [order],
      header: { 'X-BAPI-TIMESTAMP': String(NOW + 5), 'X-BAPI-RECV-WINDOW': '8000', Referer: 'bot' },
    });
  });

  it('an unknown op, a trade op on /v5/private and public topics are not relayed', () => {
    expect(adapter.classify(requestOf(JSON.stringify({ op: 'withdraw', args: [{}] })).request)).toMatchObject(
      { action: 'unknown' },
    );
    expect(
      adapter.classify(
        requestOf(JSON.stringify({ op: 'order.create', args: [order] }), '/v5/private').request,
      ),
    ).toMatchObject({
      action: 'unknown',
    });
    const sub = (args: string[]) =>
      adapter.classify(
        requestOf(JSON.stringify({ req_id: '1', op: 'subscribe', args }), '/v5/private').request,
      );
    expect(sub(['order', 'wallet', 'execution', 'position.linear']).rejected).toBeUndefined();
    expect(sub(['orderbook.50.BTCUSDT']).rejected).toContain('public');
    expect(
      ws.parseFrame(
        JSON.stringify({ reqId: '1', header: { Cookie: 'x' }, op: 'order.create', args: [order] }),
        '/v5/trade',
      ).kind,
    ).toBe('refused');
    expect(
      ws.parseFrame(
        JSON.stringify({
          reqId: '1',
          header: { 'X-BAPI-RECV-WINDOW': '600000' },
          op: 'order.create',
          args: [order],
        }),
        '/v5/trade',
      ).kind,
    ).toBe('refused');
    expect(ws.parseFrame(JSON.stringify({ req_id: 'p', op: 'ping' }), '/v5/private')).toMatchObject({
      kind: 'local',
    });
  });
});

describe('Bybit WebSocket auth', () => {
  it('a fresh auth verifies, with its signature as the replay key until it expires', () => {
    const f = requestOf(authFrame());
    expect(f.kind).toBe('login');
    expect(adapter.clientKeyId(f.request)).toBe(verifier.apiKey);
    expect(adapter.verifyClient(f.request, verifier, ctx)).toMatchObject({
      ok: true,
      replayKey: expect.stringContaining('ws-auth '),
      replayWindowMs: 11_000,
    });
  });

  it('a bad signature, an expired or too distant expires are refused', () => {
    const check = (text: string) => adapter.verifyClient(requestOf(text).request, verifier, ctx);
    expect(check(authFrame(NOW + 10_000, 'a'.repeat(64)))).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(check(authFrame(NOW - 1))).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(check(authFrame(NOW + 61_000))).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    // Bybit itself (the sandbox) sets no ceiling.
    const far = String(NOW + 61_000);
    expect(
      bybitWsAuthVerify({ 'x-bapi-expires': far, 'x-bapi-sign': bybitWsAuthSignature(far, 's') }, 's', NOW),
    ).toBeUndefined();
  });

  it('a frame that is no auth names no key and never verifies itself', () => {
    const f = requestOf(JSON.stringify({ reqId: '1', op: 'order.create', args: [order] }));
    expect(adapter.clientKeyId(f.request)).toBeUndefined();
    expect(adapter.verifyClient(f.request, verifier, ctx)).toMatchObject({
      ok: false,
      reason: 'missing_credentials',
    });
  });

  it('the auth is re-signed with the real key: its upstream frame verifies against the real secret and carries no secret', () => {
    const real = { apiKey: 'real-key', secret: 'REAL-SECRET-CANARY' };
    const signed = adapter.sign(adapter.stripAuth(requestOf(authFrame()).request), real, {
      clock: { now: () => NOW },
      nonce: { next: () => '0' },
      baseUrl: '',
    });
    const frame = ws.upstreamFrame(3, signed);
    expect(frame).not.toContain(real.secret);
    expect(frame).not.toContain(verifier.apiKey);
    const { args } = JSON.parse(frame) as { args: [string, number, string] };
    expect(args[0]).toBe(real.apiKey);
    expect(
      bybitWsAuthVerify({ 'x-bapi-expires': String(args[1]), 'x-bapi-sign': args[2] }, real.secret, NOW),
    ).toBeUndefined();
    expect(ws.parseUpstream('{"success":true,"ret_msg":"","op":"auth","conn_id":"c"}')).toEqual({
      kind: 'login',
      status: 200,
    });
    expect(ws.parseUpstream('{"retCode":10004,"retMsg":"x","op":"auth","connId":"c"}')).toEqual({
      kind: 'login',
      status: 401,
    });
    expect(ws.parseUpstream('{"reqId":"5","retCode":0,"op":"order.create"}')).toEqual({
      kind: 'response',
      id: 5,
      status: 200,
    });
    expect(ws.parseUpstream('{"op":"pong","args":["1"]}')).toEqual({ kind: 'ignored' });
    expect(ws.parseUpstream('{"topic":"order","data":[]}')).toEqual({ kind: 'event' });
  });
});
