/**
 * The drop-in flow through the real gateway (test/gateway/harness.ts: the pipeline, store, vault,
 * audit log and policy as `serve` wires them) in front of an emulator that checks signatures for
 * real: what CCXT sends with an issued client credential, re-signed with the real key, is
 * accepted by the exchange.
 */
import type { Exchange } from 'ccxt';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ExchangeId } from '../../src/core/index.js';
import type { Credential } from '../../src/exchanges/adapter.js';
import type { Policy } from '../../src/policy/policy-types.js';
import type { Sandbox } from '../../src/sandbox/server.js';
import { type Harness, startHarness } from '../gateway/harness.js';

export interface DropInFixture {
  /** The emulated exchange behind the gateway; its log shows what reached it. */
  readonly sandbox: Sandbox;
  /** Where CCXT clients are pointed: the gateway's prefix for this exchange. */
  readonly base: string;
  /** The first credential issued, for the tests' main client. */
  readonly client: Credential;
  /** Issues another client credential on the same exchange key. */
  issue(): Promise<Credential>;
}

/** Everything a bot does, withdrawals to the tests' addresses included. */
const DROP_IN_POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel', 'withdraw'],
  markets: ['spot'],
  withdrawals: {
    addresses: ['TXsandbox0000000000000000000000000', 'cold'],
    dailyCap: { USDT: 100, BTC: 1 },
  },
};

/** For the enclosing `describe`: a whole gateway for `exchange`, its key the emulator's `full` one. */
export function useDropIn(exchange: ExchangeId): DropInFixture {
  let h: Harness | undefined;
  let client: Credential | undefined;
  let n = 0;
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('drop-in gateway not started: read it inside a test or hook');
    return value;
  };
  const issue = async () =>
    (await started(h).issue(exchange, `bot-${++n}`, { policy: DROP_IN_POLICY, ratePerSecond: 0 })).credential;
  beforeAll(async () => {
    h = await startHarness({ exchanges: [exchange] });
    client = await issue();
  });
  afterAll(() => h?.close());
  return {
    get sandbox() {
      return started(h).sandbox;
    },
    get base() {
      return `${started(h).url}/${exchange}`;
    },
    get client() {
      return started(client);
    },
    issue,
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
