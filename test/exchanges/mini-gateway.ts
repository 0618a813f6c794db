/**
 * The drop-in flow in miniature (parse → verifyClient → stripAuth → sign → forward) with no
 * policy: proves that what CCXT sends with an issued client credential, re-signed by the
 * adapter with the real key, is accepted by an exchange that checks signatures for real.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Exchange } from 'ccxt';
import { afterAll, beforeAll, expect } from 'vitest';
import type { Credential, ExchangeAdapter, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { createMemoryNonceLedger, createNonceSource } from '../../src/exchanges/memory-nonce-ledger.js';
import type { SandboxEmulator } from '../../src/sandbox/emulator.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { useSandbox } from '../sandbox/helpers.js';

export function miniGateway(adapter: ExchangeAdapter, upstream: string, real: Credential) {
  const verifiers = new Map<string, Credential>();
  const issue = (): Credential => {
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

export interface DropInFixture {
  /** The emulated exchange behind the gateway; its log shows what reached it. */
  readonly sandbox: Sandbox;
  /** The mini gateway's origin, where the CCXT clients are pointed. */
  readonly base: string;
  /** The first credential issued, for the tests' main client. */
  readonly client: Credential;
  /** Issues another client credential verified by the same gateway. */
  issue(): Credential;
}

/**
 * For the enclosing `describe`: the emulator with its seeded keys, and in front of it a mini
 * gateway holding the emulator's `full` key as the real one.
 */
export function useDropIn(adapter: ExchangeAdapter, emulator: SandboxEmulator): DropInFixture {
  const upstream = useSandbox(emulator);
  let gateway: Server | undefined;
  let issue: (() => Credential) | undefined;
  let client: Credential | undefined;
  let base = '';
  beforeAll(async () => {
    const g = miniGateway(adapter, upstream.base, upstream.key('full').credential);
    gateway = g.server;
    issue = g.issue;
    client = g.issue();
    const server = gateway;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    const server = gateway;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('drop-in gateway not started: read it inside a test or hook');
    return value;
  };
  return {
    get sandbox() {
      return upstream.sandbox;
    },
    get base() {
      return started(base || undefined);
    },
    get client() {
      return started(client);
    },
    issue: () => started(issue)(),
  };
}

/**
 * What a bot does through the drop-in on `BTC/<quote>` and `SOL/<quote>`: reads its balance (returned
 * for the caller's seeded amounts), rests a limit buy that is then its only open order, sells 1 SOL
 * at market, cancels the limit and finds exactly one SOL trade.
 */
export async function dropInOrders(ex: Exchange, quote: string) {
  const balance = await ex.fetchBalance();
  const limit = await ex.createOrder(`BTC/${quote}`, 'limit', 'buy', 0.01, 50000);
  await ex.createOrder(`SOL/${quote}`, 'market', 'sell', 1);
  expect((await ex.fetchOpenOrders(`BTC/${quote}`)).map((o) => o.id)).toEqual([limit.id]);
  await ex.cancelOrder(String(limit.id), `BTC/${quote}`);
  expect(await ex.fetchMyTrades(`SOL/${quote}`)).toHaveLength(1);
  return balance;
}
