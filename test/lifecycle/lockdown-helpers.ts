/**
 * Shared by the lockdown tests: a lockdown service on its OWN store connection (as the CLI in
 * another process has), and token-mode calls through the harness gateway.
 */
import { request } from 'undici';
import type { ExchangeId } from '../../src/core/index.js';
import { adapterFor } from '../../src/exchanges/index.js';
import { createExchangeAccess } from '../../src/lifecycle/exchange-access.js';
import { createKeyRegistry } from '../../src/lifecycle/keys.js';
import { createLockdownService, type LockdownService } from '../../src/lifecycle/lockdown.js';
import type { Monitor } from '../../src/monitor/monitor-types.js';
import { openStore } from '../../src/store/db.js';
import { privateReadOf } from '../exchanges/helpers.js';
import type { Harness } from '../gateway/harness.js';

export interface SecondProcess {
  service: LockdownService;
  close(): Promise<void>;
}

/** A lockdown service over a separate SQLite connection to the harness's data directory. */
export async function lockdownProcess(
  h: Harness,
  monitor?: Pick<Monitor, 'observe'>,
): Promise<SecondProcess> {
  const store = await openStore(h.store.dataDir);
  const access = createExchangeAccess(h.config, store);
  const service = createLockdownService({
    store,
    // The vault is shared in memory (unsealed); the registry reads through the second connection.
    keys: createKeyRegistry(store, h.vault),
    audit: h.audit,
    adapterFor,
    exchanges: access,
    ...(monitor ? { monitor } : {}),
    actor: 'cli:test',
  });
  return {
    service,
    async close() {
      await access.close();
      await store.close();
    },
  };
}

type Read = { method: string; path: string; body?: string; type?: string };

/** A private read per exchange; one without a row here uses the read its adapter's introspection sends. */
export const READ = {
  binance: { method: 'GET', path: '/api/v3/account' },
  kraken: { method: 'POST', path: '/0/private/Balance', body: '', type: 'application/x-www-form-urlencoded' },
  coinbase: { method: 'GET', path: '/api/v3/brokerage/accounts' },
  okx: { method: 'GET', path: '/api/v5/account/balance' },
  bybit: { method: 'GET', path: '/v5/account/wallet-balance?accountType=UNIFIED' },
} satisfies Partial<Record<ExchangeId, Read>>;
const READS: Partial<Record<ExchangeId, Read>> = READ;

export interface Answer {
  status: number;
  code: string | undefined;
  body: string;
}

async function introspectionRead(exchange: ExchangeId): Promise<Read> {
  const r = await privateReadOf(adapterFor(exchange));
  const path = r.query === '' ? r.path : `${r.path}?${r.query}`;
  const type = Object.entries(r.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  return {
    method: r.method,
    path,
    ...(r.body !== '' || r.method !== 'GET' ? { body: r.body } : {}),
    ...(type ? { type } : {}),
  };
}

/** One token-mode call through the gateway. */
export async function call(
  h: Harness,
  exchange: ExchangeId,
  token: string,
  given?: Read,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const req = given ?? READS[exchange] ?? (await introspectionRead(exchange));
  const r = await request(`${h.url}/${exchange}${req.path}`, {
    method: req.method as 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(req.type ? { 'content-type': req.type } : {}),
      ...headers,
    },
    ...(req.body !== undefined ? { body: req.body } : {}),
  });
  const code = r.headers['x-keywarden-code'];
  return {
    status: r.statusCode,
    code: typeof code === 'string' ? code : undefined,
    body: await r.body.text(),
  };
}
