/**
 * Coinbase user-channel framing: the client's WebSocket JWT is verified (signature, key,
 * lifetime; a REST JWT naming a uri refused by keywarden), frames become reads, public channels
 * and unknown types are refused, and the upstream frame carries a fresh JWT signed with the
 * real key, never the client's.
 */
import { describe, expect, it } from 'vitest';
import { signedRequest } from '../../src/core/index.js';
import {
  buildJwt,
  classifyCoinbaseWs,
  coinbase,
  decodeJwt,
  generateCdpKeyPair,
  loadSigningKey,
  parseCoinbaseWsFrame,
  verifyWsJwt,
} from '../../src/exchanges/coinbase/index.js';

const NOW = 1_800_000_000;
const pair = generateCdpKeyPair();
const apiKey = 'organizations/keywarden/apiKeys/kw_test';
const ws = coinbase.ws;
if (!ws) throw new Error('coinbase has a WebSocket adapter');

function jwt(options: { privatePem?: string; nowSeconds?: number; uri?: string } = {}): string {
  const key = loadSigningKey({ apiKey, secret: options.privatePem ?? pair.privatePem });
  if (key.kind === 'hmac') throw new Error('CDP key');
  return buildJwt({
    apiKey,
    key,
    nowSeconds: options.nowSeconds ?? NOW,
    ...(options.uri ? { uri: options.uri } : {}),
  });
}
const check = { apiKey, publicKeyPem: pair.publicPem, nowSeconds: NOW + 10 };

describe('Coinbase WebSocket JWT', () => {
  it('verifies a JWT without uri, reusable within its life (no replay key)', () => {
    expect(verifyWsJwt(jwt(), check, true)).toEqual({ ok: true });
  });

  it('refuses another key, an expired JWT, and (keywarden) a REST JWT naming a uri', () => {
    expect(verifyWsJwt(jwt({ privatePem: generateCdpKeyPair().privatePem }), check, true)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWsJwt(jwt({ nowSeconds: NOW - 600 }), check, true)).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
    });
    const rest = jwt({ uri: 'GET api.coinbase.com/api/v3/brokerage/orders' });
    expect(verifyWsJwt(rest, check, true)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyWsJwt(rest, check, false)).toEqual({ ok: true });
    expect(verifyWsJwt(undefined, check, true)).toMatchObject({ ok: false, reason: 'missing_credentials' });
  });
});

describe('Coinbase WebSocket frames', () => {
  it('a user subscription becomes a read, its JWT in a header', () => {
    const f = parseCoinbaseWsFrame(
      JSON.stringify({ type: 'subscribe', channel: 'user', product_ids: ['BTC-USD'], jwt: 'a.b.c' }),
    );
    expect(f).toMatchObject({
      kind: 'request',
      request: { method: 'GET', path: '/ws-user/subscribe/user', query: 'product_ids=BTC-USD' },
    });
    if (f.kind !== 'request') throw new Error('request');
    expect(f.request.headers['x-coinbase-ws-jwt']).toBe('a.b.c');
    expect(classifyCoinbaseWs(f.request)).toEqual({
      action: 'read',
      endpoint: 'WS subscribe/user',
      orders: [],
    });
  });

  it('public channels, unknown types, legacy HMAC fields and odd product ids are refused', () => {
    for (const frame of [
      { type: 'subscribe', channel: 'level2', product_ids: ['BTC-USD'] },
      { type: 'order', channel: 'user' },
      { type: 'subscribe', channel: 'user', api_key: 'k', signature: 's', timestamp: '1' },
      { type: 'subscribe', channel: 'user', product_ids: ['BTC-USD&x=1'] },
    ])
      expect(parseCoinbaseWsFrame(JSON.stringify(frame))).toMatchObject({ kind: 'refused' });
    expect(
      classifyCoinbaseWs({ method: 'GET', path: '/ws-user/order/user', query: '', headers: {}, body: '' }),
    ).toMatchObject({ action: 'unknown', rejected: expect.any(String) });
  });

  it('the upstream frame carries a fresh JWT of the real key, not the client one', async () => {
    const real = generateCdpKeyPair();
    const realKey = 'organizations/real/apiKeys/real';
    const clientJwt = jwt();
    const f = parseCoinbaseWsFrame(
      JSON.stringify({ type: 'subscribe', channel: 'user', product_ids: [], jwt: clientJwt }),
    );
    if (f.kind !== 'request') throw new Error('request');
    const stripped = ws.requestAdapter.stripAuth(f.request);
    const signed = ws.requestAdapter.sign(
      stripped,
      { apiKey: realKey, secret: real.privatePem },
      { clock: { now: () => NOW * 1000 }, nonce: { next: () => '1' }, baseUrl: '' },
    );
    const session = ws.upstreamSession?.(async () => ({ status: 500, headers: {}, body: '' }));
    const text = (await session?.frame(1, signedRequest(signed))) ?? '';
    const frame = JSON.parse(text) as Record<string, unknown>;
    expect(frame).toMatchObject({ type: 'subscribe', channel: 'user', product_ids: [] });
    expect(text).not.toContain(clientJwt);
    expect(decodeJwt(String(frame.jwt))?.claims.sub).toBe(realKey);
    expect(
      verifyWsJwt(
        String(frame.jwt),
        { apiKey: realKey, publicKeyPem: real.publicPem, nowSeconds: NOW },
        true,
      ),
    ).toEqual({
      ok: true,
    });
    expect(session?.unanswered).toBe(true);
  });

  it('a denial is Coinbase\'s {type: "error", message}', () => {
    const denial = { ...coinbase.errorResponse('auth', 'x'), headers: { 'x-keywarden-code': 'auth_stale' } };
    expect(JSON.parse(ws.errorFrame(null, denial))).toEqual({
      type: 'error',
      message: 'authentication failure (keywarden denied [auth_stale])',
    });
  });
});
