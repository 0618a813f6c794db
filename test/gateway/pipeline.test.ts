/**
 * The pipeline in process, with fakes around it (store, vault, audit log, exchange): no HTTP
 * server, no socket. An edge request goes in, a typed outcome comes out; `report` records and
 * observes it from its fields, `render` answers it in the exchange's shape.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ClientRecord } from '../../src/clients/index.js';
import { hashToken } from '../../src/clients/index.js';
import { parseConfig } from '../../src/config/config.js';
import type { ExchangeRequest, ExchangeResponse } from '../../src/exchanges/adapter.js';
import { ADAPTERS } from '../../src/exchanges/index.js';
import { createMemoryNonceLedger } from '../../src/exchanges/memory-nonce-ledger.js';
import { createClientCache } from '../../src/gateway/client-cache.js';
import { createDenialAggregator } from '../../src/gateway/denial-aggregator.js';
import { createAllowList } from '../../src/gateway/ip.js';
import { createKeyCache } from '../../src/gateway/key-cache.js';
import { createPipeline, createReport, type EdgeRequest, render } from '../../src/gateway/pipeline/index.js';
import { createRateLimiter } from '../../src/gateway/rate-limit.js';
import { createReplayCache } from '../../src/gateway/replay-cache.js';
import type { Upstream } from '../../src/gateway/upstream.js';
import type { MonitorEvent } from '../../src/monitor/monitor-types.js';
import { evaluate } from '../../src/policy/policy-eval.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { createUsageTracker } from '../../src/policy/usage.js';
import { fakeAudit, fakeKeys, fakeVault } from './fakes.js';

const REAL = { apiKey: 'real-binance-key', secret: 'real-binance-secret' };
const TOKEN = 'kw_pipeline_test_token_0123456789abcdef';

function world(policy: Policy) {
  const clock = { now: () => 1_800_000_000_000 };
  const vault = fakeVault();
  const keys = fakeKeys();
  const key = keys.put('binance-main', 'binance', REAL);
  const audit = fakeAudit();
  const sent: Array<{ request: ExchangeRequest; recordsBefore: number }> = [];
  let status = 200;
  const upstream: Upstream = {
    baseUrl: 'http://127.0.0.1:1/binance',
    async stream(request) {
      sent.push({ request, recordsBefore: audit.records.length });
      return { status, headers: { 'content-type': 'application/json' }, body: Readable.from(['{}']) };
    },
    async send(request): Promise<ExchangeResponse> {
      sent.push({ request, recordsBefore: audit.records.length });
      return { status, headers: {}, body: '{}' };
    },
    close: async () => undefined,
  };
  const record: ClientRecord = {
    id: 'cli_1',
    name: 'bot',
    exchange: 'binance',
    keyId: key.id,
    environment: 'prod',
    status: 'active',
    policy,
    ipAllow: [],
    ratePerSecond: 0,
    createdAt: 0,
    updatedAt: 0,
    version: 1,
    apiKeyIds: ['kw_bot'],
  };
  const verifier = ADAPTERS.binance.issueClientCredential().verifier;
  const clients = createClientCache({
    loadAll: async () => [
      { record, credentials: [{ apiKeyId: 'kw_bot', verifier, tokenHash: hashToken(TOKEN) }], revoked: [] },
    ],
    version: () => 1,
    isSealed: () => vault.isSealed(),
  });
  const config = parseConfig({});
  const keyCache = createKeyCache(keys, clock);
  const errors: unknown[] = [];
  const onError = (_id: string, err: unknown) => errors.push(err);
  const run = createPipeline({
    config,
    vault,
    clock,
    adapters: ADAPTERS,
    upstreams: { binance: upstream },
    trustedProxies: createAllowList([]),
    limiter: createRateLimiter(clock.now),
    clients,
    keys: keyCache,
    clientNonces: createMemoryNonceLedger(),
    replays: createReplayCache(clock.now),
    usage: createUsageTracker(),
    evaluate,
    marketData: new Map(),
    monitored: true,
    audit,
    onError,
  });
  const observed: MonitorEvent[] = [];
  const report = createReport({
    audit,
    clock,
    keys: keyCache,
    unauthenticated: createDenialAggregator(clock.now),
    drainSummaries: () => undefined,
    onError,
    monitor: {
      observe: (e) => {
        observed.push(e);
      },
      onAlert: () => () => undefined,
      flush: async () => undefined,
      close: async () => undefined,
    },
  });
  return {
    audit,
    sent,
    observed,
    errors,
    setStatus: (s: number) => {
      status = s;
    },
    async handle(edge: EdgeRequest) {
      const outcome = await run(edge);
      await report(outcome, () => 1);
      return outcome;
    },
  };
}

let n = 0;
function order(symbol: string): EdgeRequest {
  return {
    requestId: `req_${++n}`,
    method: 'POST',
    target: '/binance/api/v3/order',
    headers: {
      host: '127.0.0.1:8787',
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/x-www-form-urlencoded',
      cookie: 'session=1',
    },
    body: `symbol=${symbol}&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price=50000`,
    peer: '10.0.0.5',
  };
}

const POLICY: Policy = {
  mode: 'enforce',
  actions: ['read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT'] },
  maxOrdersPerMinute: 1,
};

describe('the request pipeline, driven in process', () => {
  it('forwards an allowed order signed with the real key, only after its decision is recorded', async () => {
    const w = world(POLICY);
    const outcome = await w.handle(order('BTCUSDT'));
    expect(outcome.kind).toBe('forwarded');
    expect(w.sent).toHaveLength(1);
    const [{ request, recordsBefore }] = w.sent as [(typeof w.sent)[number]];
    expect(recordsBefore).toBe(1);
    expect(w.audit.records[0]).toMatchObject({ decision: 'allow', action: 'trade', symbol: 'BTC/USDT' });
    expect(request.headers['X-MBX-APIKEY']).toBe(REAL.apiKey);
    expect(request.body).toMatch(/&signature=[0-9a-f]{64}$/);
    // Client auth and any header outside the allow-list never reach the exchange.
    expect(Object.keys(request.headers).map((h) => h.toLowerCase())).not.toContain('authorization');
    expect(Object.keys(request.headers).map((h) => h.toLowerCase())).not.toContain('cookie');
    expect(w.observed).toMatchObject([
      { type: 'request', decision: 'allow', client: 'bot', upstreamStatus: 200 },
    ]);
    expect(render(outcome).status).toBe(200);
  });

  it('denies an off-list symbol before the exchange, and reports the rule from the outcome', async () => {
    const w = world(POLICY);
    const outcome = await w.handle(order('ETHUSDT'));
    expect(outcome).toMatchObject({
      kind: 'denied',
      denial: { code: 'policy_denied', rule: 'symbols.allow' },
    });
    expect(w.sent).toHaveLength(0);
    // Recorded and observed before anything is rendered: the report needs no answer header.
    expect(w.audit.records).toMatchObject([{ decision: 'deny', rule: 'symbols.allow', symbol: 'ETH/USDT' }]);
    expect(w.observed).toMatchObject([
      { decision: 'deny', code: 'symbols.allow', client: 'bot', keyLabel: 'binance-main' },
    ]);
    const answer = render(outcome);
    expect(answer.status).toBe(403);
    expect(answer.headers['x-keywarden-code']).toBe('policy_denied');
    expect('body' in answer ? JSON.parse(answer.body) : {}).toMatchObject({ code: expect.any(Number) });
  });

  it('refuses an allowed order whose record cannot be written, sends nothing, and gives its usage back', async () => {
    const w = world(POLICY);
    w.audit.failing = true;
    const failed = await w.handle(order('BTCUSDT'));
    expect(failed).toMatchObject({ kind: 'failed', stage: 'audit', failure: { code: 'audit_unavailable' } });
    expect(w.sent).toHaveLength(0);
    expect(w.observed).toMatchObject([{ decision: 'deny', code: 'audit_unavailable' }]);
    w.audit.failing = false;
    // maxOrdersPerMinute 1: only a released reservation lets this one through.
    expect((await w.handle(order('BTCUSDT'))).kind).toBe('forwarded');
    expect((await w.handle(order('BTCUSDT'))).kind).toBe('denied');
  });

  it('answers a request without a known exchange with no record and no report', async () => {
    const w = world(POLICY);
    const outcome = await w.handle({ ...order('BTCUSDT'), target: '/mtgox/api/order' });
    expect(outcome).toMatchObject({ kind: 'denied', denial: { code: 'not_found' } });
    expect(outcome.kind === 'denied' ? outcome.at : 'reached').toBeUndefined();
    expect(w.audit.records).toHaveLength(0);
    expect(w.observed).toHaveLength(0);
  });
});
