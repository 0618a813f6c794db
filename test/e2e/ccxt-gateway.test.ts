/**
 * For each of the five exchanges: an unmodified CCXT client, pointed at the gateway with the
 * documented `urls` override and an issued client credential, trades on the sandbox through
 * keywarden; every request the policy or pipeline must refuse is answered in the exchange's
 * own error shape and the sandbox's request log proves it was never forwarded.
 */
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeId } from '../../src/core/index.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type CcxtExchange, type Harness, startHarness } from '../gateway/harness.js';

interface Scenario {
  exchange: ExchangeId;
  quote: string;
  /** Allowed symbols (policy allow-list). */
  limitSymbol: string;
  marketSymbol: string;
  marketArgs: [number, number?];
  offList: string;
  withdraw: (ex: CcxtExchange) => Promise<unknown>;
  /** Paths that create orders or move funds on this exchange (must never appear for a denial). */
  forbidden: RegExp;
}

const SCENARIOS: Scenario[] = [
  {
    exchange: 'binance',
    quote: 'USDT',
    limitSymbol: 'BTC/USDT',
    marketSymbol: 'ETH/USDT',
    marketArgs: [0.5],
    offList: 'SOL/USDT',
    withdraw: (ex) =>
      ex.withdraw('USDT', 10, 'TXYZsandboxaddress000000000000000', undefined, { network: 'USDT' }),
    forbidden: /withdraw|\/order$/,
  },
  {
    exchange: 'kraken',
    quote: 'USD',
    limitSymbol: 'BTC/USD',
    marketSymbol: 'ETH/USD',
    marketArgs: [0.5],
    offList: 'SOL/USD',
    withdraw: (ex) => ex.withdraw('BTC', 0.1, '', undefined, { key: 'my-cold-wallet' }),
    forbidden: /Withdraw|AddOrder/,
  },
  {
    exchange: 'coinbase',
    quote: 'USD',
    limitSymbol: 'BTC/USD',
    marketSymbol: 'BTC/USD',
    marketArgs: [0.01, 60000],
    offList: 'SOL/USD',
    withdraw: (ex) => ex.withdraw('BTC', 0.1, 'bc1qsandboxaddress000000000000000000000'),
    forbidden: /transactions|withdrawals|brokerage\/orders$/,
  },
  {
    exchange: 'okx',
    quote: 'USDT',
    limitSymbol: 'BTC/USDT',
    marketSymbol: 'ETH/USDT',
    marketArgs: [0.5],
    offList: 'SOL/USDT',
    withdraw: (ex) => ex.withdraw('USDT', 10, 'TXYZabc123456789012345678901234567', undefined, { fee: '0' }),
    forbidden: /withdrawal|trade\/order|batch-orders/,
  },
  {
    exchange: 'bybit',
    quote: 'USDT',
    limitSymbol: 'BTC/USDT',
    marketSymbol: 'ETH/USDT',
    marketArgs: [0.5],
    offList: 'SOL/USDT',
    withdraw: (ex) => ex.withdraw('USDT', 10, 'TXYZabc123456789012345678901234567'),
    forbidden: /withdraw|order\/create/,
  },
];

const policyFor = (s: Scenario): Policy => ({
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: [s.limitSymbol, s.marketSymbol] },
  maxOrderNotional: 5000,
  priceBandPercent: 20,
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe.each(SCENARIOS)('$exchange through the gateway (drop-in, unmodified CCXT)', (s) => {
  let bot: CcxtExchange;

  /** Run a call that must be denied; prove the error is the exchange's and nothing reached the exchange. */
  async function denied(call: () => Promise<unknown>, code: RegExp): Promise<void> {
    const mark = h.sandbox.log.length;
    const auditMark = h.audit.records.length;
    const err = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'the call must fail').toBeInstanceOf(ccxt.BaseError);
    // Coinbase answers every auth failure with its bare `401 Unauthorized` (no body to carry a
    // reason), as the real exchange does; the denial code is then only in the audit record.
    const bare = s.exchange === 'coinbase' && /401 Unauthorized/.test(String((err as Error).message));
    if (!bare) expect(String((err as Error).message)).toMatch(code);
    const denials = h.audit.records.slice(auditMark).filter((r) => r.decision === 'deny');
    expect(denials.map((r) => `${r.rule} ${r.message}`).join('\n')).toMatch(
      new RegExp(code.source.replace(/^policy_denied\.\*/, '')),
    );
    const after = h.sandbox.log.slice(mark).map((l) => `${l.method} ${l.path}`);
    expect(after.filter((p) => s.forbidden.test(p))).toEqual([]);
  }

  beforeAll(async () => {
    const issued = await h.issue(s.exchange, `${s.exchange}-bot`, { policy: policyFor(s) });
    expect(issued.credential.apiKey).toMatch(/kw_/);
    bot = await h.ccxt(s.exchange, issued.credential);
  });

  it('reads the balance, places limit and market orders, lists and cancels (allowed)', async () => {
    const balance = await bot.fetchBalance();
    expect(balance[s.quote]?.total).toBeGreaterThan(0);
    const limit = await bot.createOrder(s.limitSymbol, 'limit', 'buy', 0.01, 50000);
    expect(limit.id).toBeTruthy();
    const open = await bot.fetchOpenOrders(s.limitSymbol);
    expect(open.map((o: { id: string }) => o.id)).toContain(limit.id);
    const market = await bot.createOrder(s.marketSymbol, 'market', 'buy', ...s.marketArgs);
    expect(market.id).toBeTruthy();
    await bot.cancelOrder(String(limit.id), s.limitSymbol);
    expect(await bot.fetchOpenOrders(s.limitSymbol)).toHaveLength(0);
    expect(
      h.sandbox.log.some((l) => l.exchange === s.exchange && s.forbidden.test(`${l.method} ${l.path}`)),
    ).toBe(true);
  });

  it('denies a withdrawal', async () => {
    await denied(() => s.withdraw(bot), /policy_denied.*actions/);
  });

  it('denies an off-list symbol', async () => {
    await denied(() => bot.createOrder(s.offList, 'limit', 'buy', 1, 100), /symbols\.allow/);
  });

  it('denies an order over the max notional', async () => {
    await denied(() => bot.createOrder(s.limitSymbol, 'limit', 'buy', 1, 59000), /maxOrderNotional/);
  });

  it('denies a limit price outside the band', async () => {
    await denied(() => bot.createOrder(s.limitSymbol, 'limit', 'buy', 0.01, 30000), /priceBand/);
  });

  it('denies a request from an IP outside the client allow-list', async () => {
    const issued = await h.issue(s.exchange, `${s.exchange}-ipbot`, {
      policy: policyFor(s),
      ipAllow: ['10.0.0.0/8', 'fd00::/8'],
    });
    const other = await h.ccxt(s.exchange, issued.credential);
    other.setMarkets(bot.markets, bot.currencies);
    await denied(() => other.createOrder(s.limitSymbol, 'limit', 'buy', 0.01, 50000), /ip_not_allowed/);
  });

  it('denies a bad signature', async () => {
    const issued = await h.issue(s.exchange, `${s.exchange}-badsig`, { policy: policyFor(s) });
    const forged = { ...issued.credential };
    const other = await h.ccxt(s.exchange, issued.credential);
    // Same key id, a different secret of the same shape: the signature cannot verify.
    const fresh = await h.issue(s.exchange, `${s.exchange}-badsig2`, { policy: policyFor(s) });
    forged.secret = fresh.credential.secret;
    if (fresh.credential.password !== undefined) forged.password = issued.credential.password;
    other.secret = forged.secret;
    other.setMarkets(bot.markets, bot.currencies);
    await denied(() => other.createOrder(s.limitSymbol, 'limit', 'buy', 0.01, 50000), /auth_bad_signature/);
  });

  it('denies a stale timestamp (or a reused nonce)', async () => {
    const issued = await h.issue(s.exchange, `${s.exchange}-stale`, { policy: policyFor(s) });
    const other = await h.ccxt(s.exchange, issued.credential);
    other.setMarkets(bot.markets, bot.currencies);
    if (s.exchange === 'kraken') {
      await other.fetchBalance();
    }
    const skew = 3_600_000;
    other.milliseconds = () => Date.now() - skew;
    other.seconds = () => Math.floor((Date.now() - skew) / 1000);
    await denied(() => other.createOrder(s.limitSymbol, 'limit', 'buy', 0.01, 50000), /auth_stale/);
  });

  it('denies a frozen client, and serves it again once unfrozen', async () => {
    const issued = await h.issue(s.exchange, `${s.exchange}-freeze`, { policy: policyFor(s) });
    const other = await h.ccxt(s.exchange, issued.credential);
    other.setMarkets(bot.markets, bot.currencies);
    await h.clients.freeze(issued.client.id);
    await denied(() => other.createOrder(s.limitSymbol, 'limit', 'buy', 0.01, 50000), /client_frozen/);
    await h.clients.unfreeze(issued.client.id);
    const order = await other.createOrder(s.limitSymbol, 'limit', 'buy', 0.01, 50000);
    await other.cancelOrder(String(order.id), s.limitSymbol);
  });

  it('denies a revoked client', async () => {
    const issued = await h.issue(s.exchange, `${s.exchange}-revoke`, { policy: policyFor(s) });
    const other = await h.ccxt(s.exchange, issued.credential);
    other.setMarkets(bot.markets, bot.currencies);
    await h.clients.revoke(issued.client.id);
    await denied(() => other.createOrder(s.limitSymbol, 'limit', 'buy', 0.01, 50000), /client_revoked/);
  });
});
