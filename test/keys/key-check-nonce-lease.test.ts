/**
 * Key checks interleaved with gateway traffic for one Kraken key on PostgreSQL: the gateway
 * (one pool) signs with leased draws; the lifecycle's key checks (another pool, as `key verify`
 * in another process has) must lease too, or a check drawn while a gateway request is in flight
 * overtakes it and Kraken refuses the slower one ("EAPI:Invalid nonce"). The fake Kraken checks
 * each nonce when the request arrives, after a random network delay. Control: the same traffic
 * with checks that do not lease sees invalid nonces.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { hashToken } from '../../src/clients/index.js';
import { parseConfig } from '../../src/config/index.js';
import type { ExchangeRequest, ExchangeResponse, NonceSource } from '../../src/exchanges/adapter.js';
import { ADAPTERS } from '../../src/exchanges/index.js';
import { createGateway } from '../../src/gateway/gateway.js';
import type { Upstream } from '../../src/gateway/upstream.js';
import { exchangeAccessFor, introspectCredential } from '../../src/keys/index.js';
import { evaluate } from '../../src/policy/index.js';
import { createPgNonceSequences, type SqlStore } from '../../src/store/index.js';
import { fakeAudit, fakeKeys, fakeVault } from '../gateway/fakes.js';
import { describeStores } from '../store/both-stores.js';

const TOKEN = `kw_${randomBytes(24).toString('hex')}`;
const REAL = { apiKey: 'real-kraken-key', secret: randomBytes(64).toString('base64') };

/** Kraken as the key sees it: a nonce must be above the last one that arrived, checked on arrival. */
function fakeKraken() {
  let last = 0n;
  const refused: string[] = [];
  const arrived: string[] = [];
  const answer = async (request: ExchangeRequest): Promise<string> => {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 8));
    arrived.push(request.path);
    const nonce = BigInt(/nonce=(\d+)/.exec(request.body)?.[1] ?? '0');
    if (nonce <= last) {
      refused.push(request.path);
      return '{"error":["EAPI:Invalid nonce"]}';
    }
    last = nonce;
    if (request.path.endsWith('GetApiKeyInfo'))
      return '{"error":[],"result":{"permissions":["query-funds"],"ipAllowlist":["10.0.0.1"]}}';
    return '{"error":[],"result":{}}';
  };
  const upstream: Upstream = {
    baseUrl: 'http://127.0.0.1:1/kraken',
    async stream(request) {
      const body = await answer(request);
      return { status: 200, headers: { 'content-type': 'application/json' }, body: Readable.from([body]) };
    },
    async send(request): Promise<ExchangeResponse> {
      return { status: 200, headers: {}, body: await answer(request) };
    },
    close: async () => undefined,
  };
  return { upstream, refused, arrived };
}

async function run(gatewayStore: SqlStore, checkStore: SqlStore, checksLease: boolean) {
  const kraken = fakeKraken();
  const keys = fakeKeys();
  const key = keys.put(`kraken-${randomBytes(4).toString('hex')}`, 'kraken', REAL);
  const issued = ADAPTERS.kraken.issueClientCredential();
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
    apiKeyIds: [issued.verifier.apiKey],
  };
  const gateway = createGateway({
    config: parseConfig({ rateBudgets: { enabled: false } }),
    vault: fakeVault(),
    keys,
    clients: {
      loadAll: async () => [
        {
          record,
          credentials: [
            { apiKeyId: issued.verifier.apiKey, verifier: issued.verifier, tokenHash: hashToken(TOKEN) },
          ],
          revoked: [],
        },
      ],
      version: () => 1,
    },
    audit: fakeAudit(),
    evaluate,
    adapters: ADAPTERS,
    upstreams: { kraken: kraken.upstream },
    nonces: createPgNonceSequences(gatewayStore.db),
  });
  const shared = createPgNonceSequences(checkStore.db);
  // The control strips the lease: the clock-based draw the checks used before.
  const nonceFor = checksLease ? shared : (k: string): NonceSource => ({ next: () => shared(k).next() });
  const access = exchangeAccessFor(parseConfig({}), nonceFor, () => kraken.upstream);
  let n = 0;
  const traffic = async () => {
    for (let i = 0; i < 12; i++)
      await gateway.handle({
        requestId: `req_${++n}`,
        method: 'POST',
        rawUrl: '/kraken/0/private/Balance',
        headers: { host: '127.0.0.1:8787', authorization: `Bearer ${TOKEN}` },
        body: '',
        peer: '10.0.0.5',
      });
  };
  const checks = async () => {
    for (let i = 0; i < 12; i++) await introspectCredential(ADAPTERS.kraken, REAL, access, key.id);
  };
  await Promise.all([traffic(), traffic(), checks(), checks()]);
  // Every gateway request and every check reached Kraken: the traffic really interleaved.
  expect(kraken.arrived.filter((p) => p.endsWith('/Balance'))).toHaveLength(24);
  expect(kraken.arrived.filter((p) => p.endsWith('/GetApiKeyInfo'))).toHaveLength(24);
  return kraken.refused;
}

describeStores('Kraken key checks during gateway traffic', (f) => {
  // On SQLite there is one process and no lease to take; the sequences are shared there already.
  const pgOnly = it.skipIf(f.dialect !== 'postgres');

  pgOnly('checks that lease their nonce never make Kraken refuse one (nor are refused)', async () => {
    const a = await f.open();
    const b = await f.reopen(a);
    expect(await run(a, b, true)).toEqual([]);
  });

  pgOnly('control: checks drawing without the lease overtake gateway requests in flight', async () => {
    const a = await f.open();
    const b = await f.reopen(a);
    expect((await run(a, b, false)).length).toBeGreaterThan(0);
  });
});
