/**
 * OKX WebSocket frames and login (src/exchanges/okx/ws*.ts): each frame becomes its
 * REST-equivalent request; the login is verified with OKX's scheme (timestamp in seconds within
 * 30 s, passphrase, sign) and names a replay key; a frame that is no login never verifies itself
 * (a frame before login is denied); the login is re-signed with the real key, and the secret is
 * in no upstream frame.
 */
import { describe, expect, it } from 'vitest';
import type { ExchangeAdapter, WsAdapter } from '../../src/exchanges/index.js';
import { createMemoryNonceLedger } from '../../src/exchanges/index.js';
import { okx, okxWsLoginHeaders, okxWsLoginVerify } from '../../src/exchanges/okx/index.js';

const ws = okx.ws as WsAdapter;
const adapter: ExchangeAdapter = ws.requestAdapter;
const NOW = 1_796_000_000_000;
const verifier = { apiKey: 'kw_client', secret: 'client-secret', password: 'client-pass' };
const ctx = {
  clock: { now: () => NOW },
  nonces: createMemoryNonceLedger(),
  origin: { host: 'h', prefix: '/okx' },
};

function loginFrame(
  over: Partial<Record<'apiKey' | 'passphrase' | 'timestamp' | 'sign', string>> = {},
  now = NOW,
) {
  const hd = okxWsLoginHeaders(verifier.apiKey, verifier.password, verifier.secret, now);
  const args = {
    apiKey: hd['ok-access-key'],
    passphrase: hd['ok-access-passphrase'],
    timestamp: hd['ok-access-timestamp'],
    sign: hd['ok-access-sign'],
    ...over,
  };
  return JSON.stringify({ op: 'login', args: [args] });
}

function requestOf(text: string) {
  const f = ws.parseFrame(text, '/ws/v5/private');
  if (f.kind !== 'request' && f.kind !== 'login') throw new Error(`not a request: ${JSON.stringify(f)}`);
  return f;
}

describe('OKX WebSocket frames', () => {
  it('an order op becomes its /api/v5/trade REST equivalent with args[0] as the body; a batch op the args array', () => {
    const order = { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '0.01', px: '1' };
    const one = requestOf(JSON.stringify({ id: 'a1', op: 'order', args: [order] }));
    expect(one).toMatchObject({ kind: 'request', id: 'a1', method: 'order' });
    expect(one.request).toMatchObject({
      method: 'POST',
      path: '/api/v5/trade/order',
      body: JSON.stringify(order),
    });
    const batch = requestOf(JSON.stringify({ id: 2, op: 'batch-orders', args: [order, order] }));
    expect(batch.request).toMatchObject({
      path: '/api/v5/trade/batch-orders',
      body: JSON.stringify([order, order]),
    });
    expect(
      requestOf(JSON.stringify({ op: 'batch-cancel-orders', args: [{ instId: 'BTC-USDT', ordId: '1' }] }))
        .request.path,
    ).toBe('/api/v5/trade/cancel-batch-orders');
    expect(adapter.classify(one.request)).toMatchObject({
      action: 'trade',
      endpoint: 'POST /api/v5/trade/order',
    });
  });

  it('an unknown op runs as an unknown action; expTime, a bad id and two items on a single op are refused', () => {
    const w = requestOf(JSON.stringify({ id: '8', op: 'withdrawal', args: [{ ccy: 'BTC' }] }));
    expect(adapter.classify(w.request)).toMatchObject({ action: 'unknown' });
    const refused = (frame: object) => ws.parseFrame(JSON.stringify(frame), '/ws/v5/private').kind;
    expect(refused({ id: '1', op: 'order', expTime: '1', args: [{}] })).toBe('refused');
    expect(refused({ id: 'no spaces', op: 'order', args: [{}] })).toBe('refused');
    expect(refused({ id: '1', op: 'order', args: [{}, {}] })).toBe('refused');
    expect(ws.parseFrame('{"op":"order","args":[{}],"op":"x"}', '/ws/v5/private').kind).toBe('refused');
    expect(ws.parseFrame('ping', '/ws/v5/private')).toEqual({ kind: 'local', reply: 'pong' });
  });

  it('private channels are reads; a public channel is rejected', () => {
    const sub = (args: object[]) =>
      adapter.classify(requestOf(JSON.stringify({ op: 'subscribe', args })).request);
    expect(sub([{ channel: 'orders', instType: 'ANY' }, { channel: 'account' }])).toMatchObject({
      action: 'read',
      endpoint: 'WS subscribe',
    });
    expect(sub([{ channel: 'orders', instType: 'ANY' }]).rejected).toBeUndefined();
    expect(sub([{ channel: 'tickers', instId: 'BTC-USDT' }]).rejected).toContain('public');
    expect(sub([{ channel: 'orders', bogus: '1' }]).rejected).toBeDefined();
  });
});

describe('OKX WebSocket login', () => {
  it('a fresh login verifies, with its sign as the replay key; the key it names is the client key', () => {
    const f = requestOf(loginFrame());
    expect(f.kind).toBe('login');
    expect(adapter.clientKeyId(f.request)).toBe(verifier.apiKey);
    const v = adapter.verifyClient(f.request, verifier, ctx);
    expect(v).toMatchObject({ ok: true, replayKey: expect.stringContaining('ws-login ') });
  });

  it('a bad sign, a wrong passphrase, a stale or malformed timestamp are refused with OKX codes', () => {
    const check = (text: string) => adapter.verifyClient(requestOf(text).request, verifier, ctx);
    expect(check(loginFrame({ sign: 'A'.repeat(44) }))).toMatchObject({
      ok: false,
      reason: 'bad_signature',
      message: expect.stringContaining('60007'),
    });
    expect(check(loginFrame({ passphrase: 'wrong' }))).toMatchObject({ ok: false, reason: 'bad_passphrase' });
    expect(check(loginFrame({}, NOW - 31_000))).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
      message: expect.stringContaining('60006'),
    });
    expect(check(loginFrame({}, NOW + 31_000))).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(check(loginFrame({}, NOW - 29_000))).toMatchObject({ ok: true });
    expect(check(loginFrame({ timestamp: new Date(NOW).toISOString() }))).toMatchObject({
      ok: false,
      reason: 'malformed',
    });
  });

  it('a frame that is no login names no key and never verifies itself', () => {
    const f = requestOf(JSON.stringify({ id: '1', op: 'order', args: [{ instId: 'BTC-USDT' }] }));
    expect(adapter.clientKeyId(f.request)).toBeUndefined();
    expect(adapter.verifyClient(f.request, verifier, ctx)).toMatchObject({
      ok: false,
      reason: 'missing_credentials',
    });
  });

  it('the login is re-signed with the real key: the upstream frame verifies against the real secret and carries no secret', () => {
    const real = { apiKey: 'real-key', secret: 'REAL-SECRET-CANARY', password: 'real-pass' };
    const stripped = adapter.stripAuth(requestOf(loginFrame()).request);
    const signed = adapter.sign(stripped, real, {
      clock: { now: () => NOW },
      nonce: { next: () => '0' },
      baseUrl: '',
    });
    const frame = ws.upstreamFrame(7, signed);
    expect(frame).not.toContain(real.secret);
    expect(frame).not.toContain(verifier.apiKey);
    const args = (JSON.parse(frame) as { op: string; args: Array<Record<string, string>> }).args[0] ?? {};
    expect(JSON.parse(frame).op).toBe('login');
    expect(args.apiKey).toBe(real.apiKey);
    const headers = {
      'ok-access-timestamp': args.timestamp ?? '',
      'ok-access-passphrase': args.passphrase ?? '',
      'ok-access-sign': args.sign ?? '',
    };
    expect(okxWsLoginVerify(headers, real.secret, real.password, NOW)).toBeUndefined();
  });

  it('reads the upstream answers: login, an op answer by id, the keepalive pong', () => {
    expect(ws.parseUpstream('{"event":"login","code":"0","msg":"","connId":"a"}')).toEqual({
      kind: 'login',
      status: 200,
    });
    expect(ws.parseUpstream('{"event":"error","code":"60009","msg":"Login failure","connId":"a"}')).toEqual({
      kind: 'login',
      status: 401,
    });
    expect(ws.parseUpstream('{"id":"3","op":"order","code":"0","msg":"","data":[]}')).toEqual({
      kind: 'response',
      id: 3,
      status: 200,
    });
    expect(ws.parseUpstream('{"id":"4","op":"order","code":"1","msg":"","data":[]}')).toMatchObject({
      status: 400,
    });
    expect(ws.parseUpstream('pong')).toEqual({ kind: 'ignored' });
    expect(ws.parseUpstream('{"arg":{"channel":"orders"},"data":[]}')).toEqual({ kind: 'event' });
    expect(JSON.parse(ws.responseFrame('{"id":"3","op":"order","code":"0"}', 'mine') ?? '')).toMatchObject({
      id: 'mine',
      op: 'order',
    });
  });
});
