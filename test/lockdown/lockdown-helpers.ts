/**
 * Shared by the lockdown tests: a lockdown service on its OWN store connection (as the CLI in
 * another process has), and token-mode calls through the harness gateway.
 */
import { request } from 'undici';
import { createExchangeAccess } from '../../src/cli/exchange-access.js';
import { EXCHANGE_IDS, type ExchangeId } from '../../src/core/index.js';
import { adapterFor } from '../../src/exchanges/index.js';
import { createKeyRegistry } from '../../src/keys/index.js';
import { createLockdownService, type LockdownService } from '../../src/lockdown/index.js';
import type { Monitor } from '../../src/monitor/monitor-types.js';
import { openStore } from '../../src/store/db.js';
import { FIXTURES } from '../exchanges/exchange-fixtures.js';
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

/** A private read per exchange, as a token-mode bot sends it (test/exchanges/fixtures). */
export const READ = Object.fromEntries(
  EXCHANGE_IDS.map((id) => {
    const r = FIXTURES[id].privateRead;
    const path = r.query ? `${r.path}?${r.query}` : r.path;
    return [
      id,
      {
        method: r.method,
        path,
        ...(r.body !== undefined ? { body: r.body } : {}),
        ...(r.contentType ? { type: r.contentType } : {}),
      },
    ];
  }),
) as Record<ExchangeId, { method: string; path: string; body?: string; type?: string }>;

export interface Answer {
  status: number;
  code: string | undefined;
  body: string;
}

/** One token-mode call through the gateway. */
export async function call(
  h: Harness,
  exchange: ExchangeId,
  token: string,
  req: { method: string; path: string; body?: string; type?: string } = READ[exchange],
  headers: Record<string, string> = {},
): Promise<Answer> {
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
