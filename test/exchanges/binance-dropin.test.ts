import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeAdapter, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { binance } from '../../src/exchanges/binance.js';
import { createMemoryNonceLedger, createNonceSource } from '../../src/exchanges/memory-nonce-ledger.js';
import { binanceEmulator } from '../../src/sandbox/binance.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';

/**
 * The drop-in flow in miniature (parse → verifyClient → stripAuth → sign → forward) with no
 * policy: proves that what CCXT sends with an issued client credential, re-signed by the
 * adapter with the real key, is accepted by an exchange that checks signatures for real.
 */
function miniGateway(adapter: ExchangeAdapter, upstream: string, real: { apiKey: string; secret: string }) {
  const verifiers = new Map<string, { apiKey: string; secret: string }>();
  const issue = () => {
    const { credential, verifier } = adapter.issueClientCredential();
    verifiers.set(verifier.apiKey, verifier);
    return credential;
  };
  const nonces = createMemoryNonceLedger();
  const nonce = createNonceSource(Date.now);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const request: ExchangeRequest = {
        method: req.method ?? 'GET',
        path: q === -1 ? url : url.slice(0, q),
        query: q === -1 ? '' : url.slice(q + 1),
        headers,
        body: Buffer.concat(chunks).toString(),
      };
      const reply = (r: { status: number; body: string }) => {
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(r.body);
      };
      const parsed = adapter.parse(request);
      if (!parsed.ok) return reply(adapter.errorResponse('bad_request', parsed.message));
      const action = adapter.classify(request).action;
      let outgoing = request;
      if (action !== 'public') {
        const verifier = verifiers.get(adapter.clientKeyId(request) ?? '');
        if (!verifier) return reply(adapter.errorResponse('auth', 'unknown client key'));
        const v = adapter.verifyClient(request, verifier, {
          clock: { now: Date.now },
          nonces,
          origin: { host: headers.host ?? '', prefix: '' },
        });
        if (!v.ok)
          return reply(
            adapter.errorResponse(
              ['stale_timestamp', 'nonce_reused'].includes(v.reason) ? 'timestamp' : 'auth',
              v.message,
            ),
          );
        outgoing = adapter.sign(adapter.stripAuth(request), real, {
          clock: { now: Date.now },
          nonce,
          baseUrl: upstream,
        });
      }
      const r = await fetch(`${upstream}${outgoing.path}${outgoing.query ? `?${outgoing.query}` : ''}`, {
        method: outgoing.method,
        headers: Object.fromEntries(
          Object.entries(outgoing.headers).filter(
            ([k]) => !['host', 'content-length', 'connection'].includes(k.toLowerCase()),
          ),
        ),
        ...(outgoing.body !== '' ? { body: outgoing.body } : {}),
      });
      reply({ status: r.status, body: await r.text() });
    });
  });
  return { server, issue };
}

describe('binance drop-in: CCXT with an issued credential, re-signed with the real key', () => {
  let sandbox: Sandbox;
  let gateway: Server;
  let base: string;
  let client: { apiKey: string; secret: string };

  beforeAll(async () => {
    const keys = binanceEmulator.generateKeys();
    const full = keys.find((k) => k.name === 'full');
    if (!full) throw new Error('no full key');
    sandbox = createSandbox({ emulators: [binanceEmulator], keys });
    await sandbox.listen(0);
    const g = miniGateway(binance, sandbox.baseUrl('binance'), full.credential);
    gateway = g.server;
    client = g.issue();
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    gateway.closeAllConnections();
    await new Promise((r) => gateway.close(r));
    await sandbox.close();
  });

  const ccxtClient = (secret: string) =>
    new ccxt.binance({
      apiKey: client.apiKey,
      secret,
      enableRateLimit: false,
      options: { fetchMarkets: { types: ['spot'] } },
      urls: {
        api: {
          public: `${base}/api/v3`,
          private: `${base}/api/v3`,
          v1: `${base}/api/v1`,
          sapi: `${base}/sapi/v1`,
          sapiV2: `${base}/sapi/v2`,
          sapiV3: `${base}/sapi/v3`,
          sapiV4: `${base}/sapi/v4`,
        },
      },
    });

  it('runs balance, limit and market orders, open orders, cancel, trades and withdraw', async () => {
    const ex = ccxtClient(client.secret);
    expect((await ex.fetchBalance()).USDT?.total).toBe(100000);
    const limit = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000);
    await ex.createOrder('SOL/USDT', 'market', 'sell', 1);
    expect((await ex.fetchOpenOrders('BTC/USDT')).map((o) => o.id)).toEqual([limit.id]);
    await ex.cancelOrder(String(limit.id), 'BTC/USDT');
    expect(await ex.fetchMyTrades('SOL/USDT')).toHaveLength(1);
    expect((await ex.withdraw('USDT', 5, 'TXsandbox0000000000000000000000000')).id).toBeTruthy();
    // Every upstream request carried the real key, never the client's.
    expect(sandbox.log.every((l) => l.status === 200)).toBe(true);
  });

  it('refuses a client that signs with the wrong secret before anything reaches the exchange', async () => {
    const before = sandbox.log.length;
    await expect(ccxtClient('not-the-issued-secret').fetchBalance()).rejects.toThrow(/-1022|Signature/);
    expect(sandbox.log.slice(before).filter((l) => l.path === '/api/v3/account')).toHaveLength(0);
  });
});
