/**
 * What the cross-exchange tests need to know about each exchange (the quote its sandbox markets
 * use, a private read as a bot sends it, the endpoints its cancel-all calls), one file per
 * exchange in ./fixtures/<id>.ts found by listing the folder, so adding an exchange adds a file
 * instead of an entry in every such test. An exchange without its file (or a file for an id that
 * is not registered) fails every test importing this module.
 */
import { readdirSync } from 'node:fs';
import { EXCHANGE_IDS, type ExchangeId, isExchangeId } from '../../src/core/index.js';

export interface ExchangeTestFixture {
  /** Quote currency of the sandbox spot markets the tests trade (`BTC/<quote>`, `ETH/<quote>`). */
  quote: string;
  /** A private read as a bot sends it, before signing (token mode, client authentication). */
  privateRead: { method: string; path: string; query?: string; body?: string; contentType?: string };
  /** `METHOD /path` of every endpoint the adapter's cancelAllOrders calls. */
  cancelAllEndpoints: string[];
}

async function load(): Promise<Record<ExchangeId, ExchangeTestFixture>> {
  const dir = new URL('./fixtures/', import.meta.url);
  const found = new Map<string, ExchangeTestFixture>();
  for (const file of readdirSync(dir).filter((f) => /\.ts$/.test(f))) {
    const id = file.replace(/\.ts$/, '');
    if (!isExchangeId(id))
      throw new Error(`test/exchanges/fixtures/${file}: ${id} is not a registered exchange`);
    const module = (await import(new URL(file, dir).href)) as { fixture: ExchangeTestFixture };
    found.set(id, module.fixture);
  }
  const out: Partial<Record<ExchangeId, ExchangeTestFixture>> = {};
  for (const id of EXCHANGE_IDS) {
    const fixture = found.get(id);
    if (!fixture) throw new Error(`exchange ${id} has no test fixture: add test/exchanges/fixtures/${id}.ts`);
    out[id] = fixture;
  }
  return out as Record<ExchangeId, ExchangeTestFixture>;
}

export const FIXTURES: Readonly<Record<ExchangeId, ExchangeTestFixture>> = await load();
