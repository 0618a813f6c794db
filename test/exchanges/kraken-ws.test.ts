/**
 * Kraken WebSocket v2 framing and keywarden's token: the token a client gets identifies and
 * proves it (a forged, foreign or expired one is refused as Kraken refuses a bad token); frames
 * become their REST equivalents, order and unknown methods are classified and rejected;
 * denials come back in Kraken v2's shape; the real token goes only upstream and is withheld
 * from any upstream frame relayed to the client.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type OutgoingRequest, signedRequest } from '../../src/core/index.js';
import type { ClientVerifier, ExchangeRequest } from '../../src/exchanges/adapter.js';
import {
  classifyKrakenWs,
  kraken,
  krakenSignature,
  krakenWsTokenKeyId,
  mintKrakenWsToken,
  parseKrakenWsFrame,
  verifyKrakenWsToken,
} from '../../src/exchanges/kraken/index.js';

const client: ClientVerifier = { apiKey: `kw_${'a'.repeat(53)}`, secret: randomBytes(64).toString('base64') };
const other: ClientVerifier = { ...client, secret: randomBytes(64).toString('base64') };
const NOW = 1_800_000_000_000;
const ws = kraken.ws;
if (!ws) throw new Error('kraken has a WebSocket adapter');

describe('keywarden Kraken WebSocket token', () => {
  it('is verified for its client and names it', () => {
    const token = mintKrakenWsToken(client, NOW);
    expect(krakenWsTokenKeyId(token)).toBe(client.apiKey);
    expect(verifyKrakenWsToken(token, client, NOW + 60_000)).toEqual({ ok: true });
  });

  it('is refused when forged, for another secret, expired, malformed or missing', () => {
    const token = mintKrakenWsToken(client, NOW);
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    expect(verifyKrakenWsToken(forged, client, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyKrakenWsToken(token, other, NOW)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyKrakenWsToken(token, client, NOW + 900_000)).toMatchObject({
      ok: false,
      reason: 'stale_timestamp',
      message: expect.stringMatching(/^ESession:Invalid session/),
    });
    // A later expiry is a different token: its MAC does not verify.
    const parts = token.split('.');
    parts[2] = String(Number(parts[2]) + 3600);
    expect(verifyKrakenWsToken(parts.join('.'), client, NOW)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyKrakenWsToken('xeAQ/RCChBYNVh53sTv1yZ5H4wIbwDF20PiHtTF+4UI', client, NOW)).toMatchObject({
      ok: false,
      reason: 'missing_credentials',
    });
    expect(verifyKrakenWsToken(undefined, client, NOW)).toMatchObject({
      ok: false,
      reason: 'missing_credentials',
    });
  });

  it('is what the REST GetWebSocketsToken answer carries, never an upstream one', () => {
    const request: ExchangeRequest = {
      method: 'POST',
      path: '/0/private/GetWebSocketsToken',
      query: '',
      headers: {},
      body: 'nonce=1',
    };
    const answer = kraken.answerLocally?.(request, client, { clock: { now: () => NOW } });
    const body = JSON.parse(answer?.body ?? '{}') as {
      error: unknown[];
      result: { token: string; expires: number };
    };
    expect(body.error).toEqual([]);
    expect(body.result.expires).toBe(900);
    expect(verifyKrakenWsToken(body.result.token, client, NOW)).toEqual({ ok: true });
    expect(
      kraken.answerLocally?.({ ...request, path: '/0/private/Balance' }, client, {
        clock: { now: () => NOW },
      }),
    ).toBe(undefined);
  });
});

describe('Kraken WebSocket v2 frames', () => {
  it('a private subscription becomes a read with its token in a header, the params as body', () => {
    const r = parseKrakenWsFrame(
      JSON.stringify({
        method: 'subscribe',
        params: { channel: 'executions', token: 'T', snap_orders: true },
        req_id: 4,
      }),
    );
    expect(r).toMatchObject({
      ok: true,
      id: 4,
      request: { method: 'POST', path: '/ws/v2/subscribe/executions', body: '{"snap_orders":true}' },
    });
    if (r.ok !== true) throw new Error('parsed');
    expect(r.request.headers['x-kraken-ws-token']).toBe('T');
    expect(classifyKrakenWs(r.request)).toEqual({
      action: 'read',
      endpoint: 'WS subscribe/executions',
      orders: [],
    });
  });

  it('order and unknown methods are classified and rejected; unknown parameters too', () => {
    const of = (frame: object) => {
      const r = parseKrakenWsFrame(JSON.stringify(frame));
      if (r.ok !== true) throw new Error('parsed');
      return classifyKrakenWs(r.request);
    };
    expect(of({ method: 'add_order', params: { symbol: 'BTC/USD', token: 'T' } })).toMatchObject({
      action: 'trade',
      rejected: expect.stringContaining('over REST'),
    });
    expect(of({ method: 'cancel_all', params: { token: 'T' } })).toMatchObject({
      action: 'cancel',
      rejected: expect.any(String),
    });
    expect(of({ method: 'withdraw', params: { token: 'T' } })).toMatchObject({
      action: 'unknown',
      rejected: 'unknown method withdraw',
    });
    expect(
      of({ method: 'subscribe', params: { channel: 'balances', users: 'all', token: 'T' } }),
    ).toMatchObject({
      rejected: expect.stringContaining('unknown parameter "users"'),
    });
  });

  it('public channels, unknown fields and ping are not relayed', () => {
    expect(
      parseKrakenWsFrame('{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"]}}'),
    ).toMatchObject({
      ok: false,
      message: expect.stringContaining('wss://ws.kraken.com/v2'),
    });
    expect(parseKrakenWsFrame('{"method":"subscribe","event":"x"}')).toMatchObject({ ok: false });
    expect(ws.parseFrame('{"method":"ping","req_id":9}')).toMatchObject({
      kind: 'local',
      reply: expect.stringContaining('"method":"pong","req_id":9'),
    });
  });

  it('a denial is in Kraken v2 shape with the method and req_id kept', () => {
    const denial = kraken.errorResponse(
      'auth',
      'keywarden denied [auth_bad_signature]: ESession:Invalid session: unknown token',
    );
    const frame = JSON.parse(ws.errorFrame(12, denial, 'subscribe')) as Record<string, unknown>;
    expect(frame).toEqual({
      method: 'subscribe',
      success: false,
      error: expect.stringMatching(/^ESession:Invalid session \(keywarden denied \[auth_bad_signature\]/),
      req_id: 12,
      time_in: expect.any(String),
      time_out: expect.any(String),
    });
    const unknown = JSON.parse(
      ws.errorFrame(
        13,
        kraken.errorResponse('bad_request', 'keywarden denied [request_rejected]: unknown method x'),
        'x',
      ),
    ) as Record<string, unknown>;
    expect(unknown).toMatchObject({
      method: 'x',
      success: false,
      req_id: 13,
      error: expect.stringContaining('unknown method x'),
    });
  });
});

describe('the upstream connection', () => {
  const realSecret = randomBytes(64).toString('base64');
  const realToken = 'xeAQ/RCChBYNVh53sTv1yZ5H4wIbwDF20PiHtTF+4UI';

  function signed(path: string, body: string): OutgoingRequest {
    const r = ws?.requestAdapter.sign(
      { method: 'POST', path, query: '', headers: {}, body },
      { apiKey: 'REALKEY', secret: realSecret },
      { clock: { now: () => NOW }, nonce: { next: () => '1700000000000001' }, baseUrl: '' },
    );
    return signedRequest(r ?? { method: '', path: '', query: '', headers: {}, body: '' });
  }

  it('fetches a real token once with the real key, puts it only in upstream frames, and withholds it from what it relays', async () => {
    const calls: ExchangeRequest[] = [];
    const session = ws.upstreamSession?.(async (request) => {
      calls.push(request);
      return {
        status: 200,
        headers: {},
        body: JSON.stringify({ error: [], result: { token: realToken, expires: 900 } }),
      };
    });
    if (!session) throw new Error('a Kraken session');
    const first = JSON.parse(
      await session.frame(1, signed('/ws/v2/subscribe/executions', '{"snap_orders":true}')),
    );
    expect(first).toEqual({
      method: 'subscribe',
      params: { channel: 'executions', snap_orders: true, token: realToken },
      req_id: 1,
    });
    const second = JSON.parse(await session.frame(2, signed('/ws/v2/subscribe/balances', '{}')));
    expect(second.params.token).toBe(realToken);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      method: 'POST',
      path: '/0/private/GetWebSocketsToken',
      body: 'nonce=1700000000000001',
    });
    expect(calls[0]?.headers['API-Sign']).toBe(
      krakenSignature(
        '/0/private/GetWebSocketsToken',
        '1700000000000001',
        'nonce=1700000000000001',
        realSecret,
      ),
    );
    const echoed = JSON.stringify({ method: 'subscribe', result: { token: realToken }, req_id: 1 });
    const escaped = echoed.replaceAll('/', '\\/');
    for (const text of [echoed, escaped]) {
      const relayed = session.relay?.(text) ?? text;
      expect(relayed).not.toContain(realToken);
      expect(relayed).not.toContain(realToken.replaceAll('/', '\\/'));
    }
  });

  it('fails the request when Kraken issues no token', async () => {
    const session = ws.upstreamSession?.(async () => ({
      status: 200,
      headers: {},
      body: JSON.stringify({ error: ['EGeneral:Permission denied'], result: {} }),
    }));
    await expect(session?.frame(1, signed('/ws/v2/subscribe/balances', '{}'))).rejects.toThrow(
      /Permission denied/,
    );
  });
});
