// What the WebSocket bench and soak send per exchange: the path, the connection login, one order
// round trip (and, for exchanges without a test order, the cancel that keeps the book and the
// balance flat). Signing as each exchange documents it (and CCXT Pro does).
import { createHmac } from 'node:crypto';

export const EXCHANGE = process.env.BENCH_WS_EXCHANGE ?? 'binance';

const hmac = (secret, text, enc) => createHmac('sha256', secret).update(text).digest(enc);

function binanceSigned(credential, params) {
  const all = { ...params, apiKey: credential.apiKey, timestamp: Date.now() };
  const payload = Object.keys(all)
    .sort()
    .map((k) => `${k}=${all[k]}`)
    .join('&');
  return { ...all, signature: hmac(credential.secret, payload, 'hex') };
}

/** OKX logins of one credential in one second are one frame: spread the timestamps (±30 s are accepted). */
let okxLogins = 0;

export const PROTOCOLS = {
  binance: {
    path: '/ws-api/v3',
    idField: 'id',
    what: 'signed `order.test` (validated, nothing rests)',
    login: async () => undefined,
    order: (conn, credential, tag) =>
      conn.request(
        'order.test',
        binanceSigned(credential, {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.001',
          price: '20000',
          newClientOrderId: tag,
        }),
      ),
    ok: (a) => a.status === 200,
    subscribe: (conn, credential) => conn.request('userDataStream.subscribe.signature', binanceSigned(credential, {})),
  },
  okx: {
    path: '/ws/v5/private',
    idField: 'id',
    what: 'op `order` (a resting limit buy; each followed by an untimed `cancel-order`)',
    async login(conn, credential) {
      const ts = String(Math.floor(Date.now() / 1000) - (okxLogins++ % 25));
      const answer = await conn.await(
        {
          op: 'login',
          args: [
            {
              apiKey: credential.apiKey,
              passphrase: credential.password,
              timestamp: ts,
              sign: hmac(credential.secret, `${ts}GET/users/self/verify`, 'base64'),
            },
          ],
        },
        (v) => v.event === 'login' || v.event === 'error',
      );
      if (answer.code !== '0') throw new Error(`okx login refused: ${JSON.stringify(answer)}`);
    },
    order: (conn, _credential, tag) =>
      conn.send((id) => ({
        id,
        op: 'order',
        args: [
          { instId: 'BTC-USDT', tdMode: 'cash', side: 'buy', ordType: 'limit', sz: '0.001', px: '20000', clOrdId: tag },
        ],
      })),
    cancel: (conn, _credential, placed) =>
      conn.send((id) => ({ id, op: 'cancel-order', args: [{ instId: 'BTC-USDT', ordId: placed.data?.[0]?.ordId }] })),
    ok: (a) => a.code === '0',
    subscribe: (conn) =>
      conn.await({ op: 'subscribe', args: [{ channel: 'orders', instType: 'ANY' }] }, (v) => v.event === 'subscribe' || v.event === 'error'),
  },
  bybit: {
    path: '/v5/trade',
    idField: 'reqId',
    what: 'op `order.create` on /v5/trade (a resting limit buy; each followed by an untimed `order.cancel`)',
    async login(conn, credential) {
      const expires = String(Date.now() + 10_000);
      const answer = await conn.await(
        { op: 'auth', args: [credential.apiKey, expires, hmac(credential.secret, `GET/realtime${expires}`, 'hex')] },
        (v) => v.op === 'auth',
      );
      if (answer.retCode !== 0) throw new Error(`bybit auth refused: ${JSON.stringify(answer)}`);
    },
    order: (conn, _credential, tag) =>
      conn.send((reqId) => ({
        reqId,
        header: { 'X-BAPI-TIMESTAMP': String(Date.now()), 'X-BAPI-RECV-WINDOW': '5000' },
        op: 'order.create',
        args: [
          { category: 'spot', symbol: 'BTCUSDT', side: 'Buy', orderType: 'Limit', qty: '0.001', price: '20000', orderLinkId: tag },
        ],
      })),
    cancel: (conn, _credential, placed) =>
      conn.send((reqId) => ({
        reqId,
        header: { 'X-BAPI-TIMESTAMP': String(Date.now()), 'X-BAPI-RECV-WINDOW': '5000' },
        op: 'order.cancel',
        args: [{ category: 'spot', symbol: 'BTCUSDT', orderId: placed.data?.orderId }],
      })),
    ok: (a) => a.retCode === 0,
  },
};
