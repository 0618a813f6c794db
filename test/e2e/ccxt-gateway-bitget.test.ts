/**
 * Bitget through the real gateway over real sockets: an unmodified CCXT bitget client, pointed
 * at the gateway with the adapter's `ccxtOverride` and an issued client credential (apiKey,
 * secret, password), trades spot on the sandbox; every request the policy or pipeline must
 * refuse is answered in Bitget's error shape and the sandbox's request log proves it was never
 * forwarded.
 */
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/policy-types.js';
import { type CcxtExchange, type Harness, startHarness } from '../gateway/harness.js';

const POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT', 'ETH/USDT'] },
  maxOrderNotional: 5000,
  priceBandPercent: 20,
};

/** What creates orders or moves funds on Bitget: a denial must never reach one of these. */
const FORBIDDEN = /place-order|batch-orders|wallet\/withdrawal|wallet\/transfer/;

let h: Harness;
let bot: CcxtExchange;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['bitget'] });
  const issued = await h.issue('bitget', 'bitget-bot', { policy: POLICY });
  expect(issued.credential).toMatchObject({ apiKey: expect.stringMatching(/^kw_/) });
  expect(issued.credential.password).toBeTruthy();
  bot = await h.ccxt('bitget', issued.credential);
});
afterAll(() => h.close());

/** Run a call that must be denied; prove the error is Bitget's and nothing reached the exchange. */
async function denied(call: () => Promise<unknown>, code: RegExp, bitgetCode: string): Promise<void> {
  const mark = h.sandbox.log.length;
  const auditMark = h.audit.records.length;
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call must fail').toBeInstanceOf(ccxt.BaseError);
  const text = String((err as Error).message);
  expect(text).toMatch(code);
  // CCXT prints the exchange's body: Bitget's shape with its code.
  expect(text).toContain(`"code":"${bitgetCode}"`);
  const denials = h.audit.records.slice(auditMark).filter((r) => r.decision === 'deny');
  expect(denials.map((r) => `${r.rule} ${r.message}`).join('\n')).toMatch(
    new RegExp(code.source.replace(/^policy_denied\.\*/, '')),
  );
  const after = h.sandbox.log.slice(mark).map((l) => `${l.method} ${l.path}`);
  expect(after.filter((p) => FORBIDDEN.test(p))).toEqual([]);
}

describe('bitget through the gateway (drop-in, unmodified CCXT)', () => {
  it('reads the balance, places limit and market orders, lists and cancels (allowed)', async () => {
    const balance = await bot.fetchBalance();
    expect(balance.USDT?.total).toBe(100000);
    const limit = await bot.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000);
    expect(limit.id).toBeTruthy();
    const open = await bot.fetchOpenOrders('BTC/USDT');
    expect(open.map((o: { id: string }) => o.id)).toContain(limit.id);
    // A market buy is sized in USDT: 0.5 ETH at a reference 3000 is a 1500 USDT order, under the cap.
    const market = await bot.createOrder('ETH/USDT', 'market', 'buy', 0.5, 3000);
    expect(market.id).toBeTruthy();
    const sell = await bot.createOrder('ETH/USDT', 'market', 'sell', 0.1);
    expect(sell.id).toBeTruthy();
    await bot.cancelOrder(String(limit.id), 'BTC/USDT');
    expect(await bot.fetchOpenOrders('BTC/USDT')).toHaveLength(0);
    expect((await bot.fetchMyTrades('ETH/USDT')).length).toBe(2);
    const placed = h.sandbox.log.filter((l) => l.path === '/api/v2/spot/trade/place-order');
    expect(placed.map((l) => l.status)).toEqual([200, 200, 200]);
    // The limit rests, the market orders filled on the sandbox account of the real key.
    expect(h.sandbox.engine.trades('main', 'ETH/USDT').map((t) => t.quantity)).toEqual([0.5, 0.1]);
  });

  it('denies a withdrawal (not in the policy actions) and never forwards it', async () => {
    await denied(
      () => bot.withdraw('USDT', 10, 'TXYZabc123456789012345678901234567', undefined, { network: 'TRC20' }),
      /policy_denied.*actions/,
      '40014',
    );
    expect(h.sandbox.engine.withdrawals('main')).toEqual([]);
  });

  it('denies a transfer and never forwards it', async () => {
    await denied(() => bot.transfer('USDT', 10, 'spot', 'swap'), /policy_denied.*actions/, '40014');
  });

  it('denies an off-list symbol', async () => {
    await denied(() => bot.createOrder('SOL/USDT', 'limit', 'buy', 1, 150), /symbols\.allow/, '40014');
  });

  it('denies a limit order over the max notional', async () => {
    await denied(() => bot.createOrder('BTC/USDT', 'limit', 'buy', 1, 59000), /maxOrderNotional/, '40014');
  });

  it('denies a market buy whose quote size is over the max notional', async () => {
    // 2 ETH at 3000: CCXT sends size 6000 (USDT), which is what Bitget would spend.
    await denied(() => bot.createOrder('ETH/USDT', 'market', 'buy', 2, 3000), /maxOrderNotional/, '40014');
  });

  it('denies a market sell whose base size is over the max notional', async () => {
    await denied(() => bot.createOrder('ETH/USDT', 'market', 'sell', 2), /maxOrderNotional/, '40014');
  });

  it('denies a limit price outside the band', async () => {
    await denied(() => bot.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 30000), /priceBand/, '40014');
  });

  it('denies a bad signature in Bitget auth shape', async () => {
    const issued = await h.issue('bitget', 'bitget-badsig', { policy: POLICY });
    const fresh = await h.issue('bitget', 'bitget-badsig2', { policy: POLICY });
    const other = await h.ccxt('bitget', issued.credential);
    other.secret = fresh.credential.secret;
    other.setMarkets(bot.markets, bot.currencies);
    await denied(
      () => other.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000),
      /auth_bad_signature/,
      '40009',
    );
  });

  it('denies a wrong passphrase', async () => {
    const issued = await h.issue('bitget', 'bitget-badpass', { policy: POLICY });
    const other = await h.ccxt('bitget', { ...issued.credential, password: 'not-the-passphrase' });
    other.setMarkets(bot.markets, bot.currencies);
    await denied(() => other.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000), /auth_bad/, '40009');
  });

  it('denies a stale timestamp', async () => {
    const issued = await h.issue('bitget', 'bitget-stale', { policy: POLICY });
    const other = await h.ccxt('bitget', issued.credential);
    other.setMarkets(bot.markets, bot.currencies);
    const skew = 3_600_000;
    other.milliseconds = () => Date.now() - skew;
    await denied(() => other.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000), /auth_stale/, '40008');
  });

  it('denies a frozen client, and serves it again once unfrozen', async () => {
    const issued = await h.issue('bitget', 'bitget-freeze', { policy: POLICY });
    const other = await h.ccxt('bitget', issued.credential);
    other.setMarkets(bot.markets, bot.currencies);
    await h.clients.freeze(issued.client.id);
    await denied(() => other.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000), /client_frozen/, '40014');
    await h.clients.unfreeze(issued.client.id);
    const order = await other.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000);
    await other.cancelOrder(String(order.id), 'BTC/USDT');
  });
});
