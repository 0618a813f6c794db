import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeAdapter, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { kraken } from '../../src/exchanges/kraken.js';
import { createMemoryNonceLedger, createNonceSource } from '../../src/exchanges/memory-nonce-ledger.js';
import { krakenEmulator } from '../../src/sandbox/kraken.js';
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

describe('kraken drop-in: two CCXT clients share one real key through the gateway nonce', () => {
  let sandbox: Sandbox;
  let gateway: Server;
  let base: string;
  let client: { apiKey: string; secret: string };
  let issue: () => { apiKey: string; secret: string };

  beforeAll(async () => {
    const keys = krakenEmulator.generateKeys();
    const full = keys.find((k) => k.name === 'full');
    if (!full) throw new Error('no full key');
    sandbox = createSandbox({ emulators: [krakenEmulator], keys });
    await sandbox.listen(0);
    const g = miniGateway(kraken, sandbox.baseUrl('kraken'), full.credential);
    gateway = g.server;
    client = g.issue();
    issue = g.issue;
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    gateway.closeAllConnections();
    await new Promise((r) => gateway.close(r));
    await sandbox.close();
  });

  const ccxtClient = (secret: string, apiKey = client.apiKey) =>
    new ccxt.kraken({
      apiKey,
      secret,
      enableRateLimit: false,
      urls: { api: { public: base, private: base } },
    });

  it('runs balance, limit and market orders, open orders, cancel, trades and withdraw', async () => {
    const ex = ccxtClient(client.secret);
    expect((await ex.fetchBalance()).BTC?.total).toBe(2);
    const limit = await ex.createOrder('BTC/USD', 'limit', 'buy', 0.01, 50000);
    await ex.createOrder('SOL/USD', 'market', 'sell', 1);
    expect((await ex.fetchOpenOrders('BTC/USD')).map((o) => o.id)).toEqual([limit.id]);
    await ex.cancelOrder(String(limit.id), 'BTC/USD');
    expect(await ex.fetchMyTrades('SOL/USD')).toHaveLength(1);
    expect((await ex.withdraw('BTC', 0.1, '', undefined, { key: 'cold' })).id).toBeTruthy();
    expect(sandbox.engine.withdrawals('main')).toHaveLength(1);
  });

  it('lets a second client with its own small nonces share the real key, and refuses its reused nonce', async () => {
    const second = issue();
    const late = ccxtClient(second.secret, second.apiKey);
    // Far below the first client's millisecond nonces: only each client's own sequence matters,
    // the upstream nonce for the shared real key is the gateway's.
    let n = 0;
    late.nonce = () => ++n;
    expect((await late.fetchBalance()).USD?.total).toBeGreaterThan(0);
    n = 0;
    await expect(late.fetchBalance()).rejects.toBeInstanceOf(ccxt.InvalidNonce);
  });

  it('refuses a client that signs with the wrong secret before anything reaches the exchange', async () => {
    const before = sandbox.log.length;
    await expect(ccxtClient(Buffer.alloc(64, 9).toString('base64')).fetchBalance()).rejects.toThrow(
      /Invalid signature/,
    );
    expect(sandbox.log.slice(before).filter((l) => l.path.startsWith('/0/private/'))).toHaveLength(0);
  });
});
