/**
 * The drop-in Kraken client's nonce ledger shared by two gateway instances on PostgreSQL (two
 * pools on one database, as two processes have): a client alternating between the instances
 * must send a nonce above every one it used at either; a captured request replayed to the other
 * instance is refused in Kraken's own words. Control: with each instance's own in-memory ledger
 * the replay to the other instance is forwarded. Also the ledger's contract on both engines.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hashToken } from '../../src/clients/index.js';
import { parseConfig } from '../../src/config/index.js';
import type { ExchangeResponse } from '../../src/exchanges/adapter.js';
import { ADAPTERS } from '../../src/exchanges/index.js';
import { krakenSignature } from '../../src/exchanges/kraken/auth.js';
import { createGateway } from '../../src/gateway/gateway.js';
import { gatewayState } from '../../src/gateway/store-state.js';
import type { Upstream } from '../../src/gateway/upstream.js';
import { evaluate } from '../../src/policy/index.js';
import type { AnyStore, SqlStore } from '../../src/store/index.js';
import { describeStores } from '../store/both-stores.js';
import { fakeAudit, fakeKeys, fakeVault } from './fakes.js';

const local = mkdtempSync(join(tmpdir(), 'kw-shl-nonces-'));
const asAny = (s: SqlStore): AnyStore => Object.assign(s, { dataDir: local }) as AnyStore;

/** The ledger `serve` uses on this engine, as one async function. */
function ledger(store: SqlStore) {
  const state = gatewayState(asAny(store));
  const shared = state.sharedClientNonces;
  if (shared) return (k: string, n: bigint) => shared.accept(k, n);
  const own = state.clientNonces;
  if (!own) throw new Error('no client nonce ledger');
  return async (k: string, n: bigint) => own.accept(k, n);
}

const issued = ADAPTERS.kraken.issueClientCredential();
const API_KEY = issued.verifier.apiKey;

/** One gateway instance: its own caches, the given ledger state, a fake Kraken that answers 200. */
function instance(state: ReturnType<typeof gatewayState> | Record<string, never>) {
  const keys = fakeKeys();
  const key = keys.put('kraken-main', 'kraken', {
    apiKey: 'real-kraken-key',
    secret: randomBytes(64).toString('base64'),
  });
  const sent: string[] = [];
  const upstream: Upstream = {
    baseUrl: 'http://127.0.0.1:1/kraken',
    async stream(request) {
      sent.push(request.body);
      const { Readable } = await import('node:stream');
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: Readable.from(['{"error":[],"result":{}}']),
      };
    },
    async send(): Promise<ExchangeResponse> {
      return { status: 200, headers: {}, body: '{"error":[],"result":{}}' };
    },
    close: async () => undefined,
  };
  const record = {
    id: 'cli_kr',
    name: 'krbot',
    exchange: 'kraken' as const,
    keyId: key.id,
    environment: 'prod' as const,
    status: 'active' as const,
    policy: { mode: 'enforce' as const, actions: ['read' as const] },
    ipAllow: [],
    ratePerSecond: 0,
    createdAt: 0,
    updatedAt: 0,
    version: 1,
    apiKeyIds: [API_KEY],
  };
  const gateway = createGateway({
    config: parseConfig({}),
    vault: fakeVault(),
    keys,
    clients: {
      loadAll: async () => [
        {
          record,
          credentials: [{ apiKeyId: API_KEY, verifier: issued.verifier, tokenHash: hashToken('kw_unused') }],
          revoked: [],
        },
      ],
      version: () => 1,
    },
    audit: fakeAudit(),
    evaluate,
    adapters: ADAPTERS,
    upstreams: { kraken: upstream },
    ...(state.sharedClientNonces ? { sharedClientNonces: state.sharedClientNonces } : {}),
  });
  let n = 0;
  return {
    sent,
    async balance(nonce: bigint) {
      const body = `nonce=${nonce}`;
      const a = await gateway.handle({
        requestId: `req_${++n}`,
        method: 'POST',
        rawUrl: '/kraken/0/private/Balance',
        headers: {
          host: '127.0.0.1:8787',
          'content-type': 'application/x-www-form-urlencoded',
          'api-key': API_KEY,
          'api-sign': krakenSignature(
            '/0/private/Balance',
            String(nonce),
            body,
            issued.verifier.secret ?? '',
          ),
        },
        body,
        peer: '10.0.0.5',
      });
      if ('body' in a) return { status: a.status, body: a.body };
      let text = '';
      for await (const chunk of a.stream) text += String(chunk);
      return { status: a.status, body: text };
    },
  };
}

describeStores('client nonce ledger shared by instances', (f) => {
  it('two instances: a nonce is accepted once, only above every earlier one, exactly past 2^53', async () => {
    const a = await f.open();
    const b = await f.reopen(a);
    const [la, lb] = [ledger(a), ledger(b)];
    expect(await la('kw_k1', 100n)).toBe(true);
    expect(await lb('kw_k1', 100n)).toBe(false);
    expect(await lb('kw_k1', 99n)).toBe(false);
    expect(await lb('kw_k1', 101n)).toBe(true);
    expect(await la('kw_k1', 101n)).toBe(false);
    expect(await la('kw_k2', 5n)).toBe(true);
    const big = 2n ** 60n;
    expect(await la('kw_k3', big + 1n)).toBe(true);
    expect(await lb('kw_k3', big)).toBe(false);
    expect(await lb('kw_k3', big + 2n)).toBe(true);
    // Twenty uses of one nonce at once, split over both: exactly one is accepted.
    const at = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? la : lb)('kw_k4', 7n)));
    expect(at.filter(Boolean)).toHaveLength(1);
  });

  if (f.dialect === 'postgres')
    it('a Kraken client alternating between two gateways cannot reuse a nonce at the other', async () => {
      const a = await f.open();
      const b = await f.reopen(a);
      const [one, two] = [instance(gatewayState(asAny(a))), instance(gatewayState(asAny(b)))];
      // Kraken answers its errors with HTTP 200 and an `error` list: so does keywarden in its shape.
      expect((await one.balance(1_000n)).body).toBe('{"error":[],"result":{}}');
      expect((await two.balance(1_000n)).body).toContain('EAPI:Invalid nonce');
      expect((await two.balance(999n)).body).toContain('EAPI:Invalid nonce');
      expect(two.sent).toHaveLength(0);
      expect((await two.balance(1_001n)).body).toBe('{"error":[],"result":{}}');
      expect((await one.balance(1_001n)).body).toContain('EAPI:Invalid nonce');
      expect(one.sent.length + two.sent.length).toBe(2);
    });
});

it('control: with each instance its own in-memory ledger, the replay to the other instance is forwarded', async () => {
  const [one, two] = [instance({}), instance({})];
  expect((await one.balance(1_000n)).body).toBe('{"error":[],"result":{}}');
  expect((await two.balance(1_000n)).body).toBe('{"error":[],"result":{}}');
  expect(two.sent).toHaveLength(1);
});
