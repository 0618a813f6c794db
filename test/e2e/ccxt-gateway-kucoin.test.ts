/**
 * KuCoin through the real gateway over real sockets: an unmodified CCXT kucoin client, pointed
 * at the gateway with the adapter's `ccxtOverride` and an issued client credential, trades on
 * the sandbox (CCXT keeps its own KuCoin signing and its partner headers). Every request the
 * policy or pipeline must refuse is answered in KuCoin's error shape, and the sandbox's request
 * log proves it was never forwarded.
 */
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Policy } from '../../src/policy/policy-types.js';
import { type CcxtExchange, type Harness, startHarness } from '../gateway/harness.js';

/** Paths that create orders or move funds on KuCoin (must never appear for a denial). */
const FORBIDDEN =
  /^POST \/api\/(v1\/orders|v3\/withdrawals|v1\/withdrawals|v3\/accounts\/universal-transfer|v2\/accounts\/inner-transfer)$/;

const policy: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT', 'ETH/USDT'] },
  maxOrderNotional: 5000,
  priceBandPercent: 20,
};

let h: Harness;
let bot: CcxtExchange;
beforeAll(async () => {
  h = await startHarness({ exchanges: ['kucoin'] });
  const issued = await h.issue('kucoin', 'kucoin-bot', { policy });
  expect(issued.credential).toMatchObject({
    apiKey: expect.stringMatching(/^kw_/),
    password: expect.any(String),
  });
  bot = await h.ccxt('kucoin', issued.credential);
});
afterAll(() => h.close());

const lines = (from: number) => h.sandbox.log.slice(from).map((l) => `${l.method} ${l.path}`);

/** Run a call that must be denied; prove the error is KuCoin's and nothing reached the exchange. */
async function denied(call: () => Promise<unknown>, code: RegExp): Promise<void> {
  const mark = h.sandbox.log.length;
  const auditMark = h.audit.records.length;
  const err = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'the call must fail').toBeInstanceOf(ccxt.BaseError);
  // CCXT quotes KuCoin's own answer: {"code":"400…","msg":"keywarden denied [...] ..."}.
  expect(String((err as Error).message)).toMatch(/"code":"4\d{5}"/);
  expect(String((err as Error).message)).toMatch(code);
  const denials = h.audit.records.slice(auditMark).filter((r) => r.decision === 'deny');
  expect(denials.map((r) => `${r.rule} ${r.message}`).join('\n')).toMatch(
    new RegExp(code.source.replace(/^policy_denied\.\*/, '')),
  );
  expect(lines(mark).filter((p) => FORBIDDEN.test(p))).toEqual([]);
}

describe('kucoin through the gateway (drop-in, unmodified CCXT)', () => {
  it('reads the balance, places limit and market orders (by size and by funds), lists and cancels', async () => {
    const mark = h.sandbox.log.length;
    const balance = await bot.fetchBalance();
    expect(balance.USDT?.total).toBeGreaterThan(0);
    const limit = await bot.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000);
    expect(limit.id).toBeTruthy();
    expect((await bot.fetchOpenOrders('BTC/USDT')).map((o: { id: string }) => o.id)).toContain(limit.id);
    const market = await bot.createOrder('ETH/USDT', 'market', 'buy', 0.5);
    expect(market.id).toBeTruthy();
    const byCost = await bot.createMarketBuyOrderWithCost('ETH/USDT', 100);
    expect(byCost.id).toBeTruthy();
    await bot.cancelOrder(String(limit.id), 'BTC/USDT');
    expect(await bot.fetchOpenOrders('BTC/USDT')).toHaveLength(0);
    const byClient = await bot.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000, {
      clientOrderId: 'kwkc1',
    });
    await bot.cancelOrder(undefined, 'BTC/USDT', { clientOrderId: 'kwkc1' });
    expect(h.sandbox.engine.order('main', { id: String(byClient.id) })?.status).toBe('canceled');
    expect((await bot.fetchMyTrades('ETH/USDT')).length).toBeGreaterThanOrEqual(2);
    expect(lines(mark)).toEqual(
      expect.arrayContaining([
        'GET /api/v1/accounts',
        'POST /api/v1/orders',
        'GET /api/v1/orders',
        'DELETE /api/v1/orders/{id}'.replace('{id}', String(limit.id)),
        'DELETE /api/v1/order/client-order/kwkc1',
        'GET /api/v1/fills',
      ]),
    );
    // The market order by funds executed as a quote-sized order of 100 USDT.
    const cost = h.sandbox.engine.order('main', { id: String(byCost.id) });
    expect((cost?.quantity ?? 0) * (cost?.averagePrice ?? 0)).toBeCloseTo(100, 6);
  });

  it('denies a withdrawal and a transfer under the default trading policy', async () => {
    await denied(
      () => bot.withdraw('USDT', 10, 'TXYZabc123456789012345678901234567'),
      /policy_denied.*actions/,
    );
    await denied(() => bot.transfer('USDT', 1, 'main', 'spot'), /policy_denied.*actions/);
  });

  it('denies an off-list symbol', async () => {
    await denied(() => bot.createOrder('SOL/USDT', 'limit', 'buy', 1, 150), /symbols\.allow/);
  });

  it('denies an order over the max notional, by size and by funds', async () => {
    await denied(() => bot.createOrder('BTC/USDT', 'limit', 'buy', 1, 59000), /maxOrderNotional/);
    await denied(() => bot.createMarketBuyOrderWithCost('ETH/USDT', 9000), /maxOrderNotional/);
  });

  it('denies a limit price outside the band', async () => {
    await denied(() => bot.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 30000), /priceBand/);
  });

  it('denies a bad signature, a wrong passphrase and a stale timestamp', async () => {
    const issued = await h.issue('kucoin', 'kucoin-badsig', { policy });
    const fresh = await h.issue('kucoin', 'kucoin-badsig2', { policy });
    const forged = await h.ccxt('kucoin', { ...issued.credential, secret: fresh.credential.secret });
    forged.setMarkets(bot.markets, bot.currencies);
    // The passphrase is HMAC-signed with the secret: a wrong secret shows as a wrong passphrase first.
    await denied(() => forged.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000), /auth_bad_signature/);
    const wrongPass = await h.ccxt('kucoin', { ...issued.credential, password: 'not-the-passphrase' });
    wrongPass.setMarkets(bot.markets, bot.currencies);
    await denied(() => wrongPass.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000), /auth_bad_signature/);
    const stale = await h.ccxt('kucoin', issued.credential);
    stale.setMarkets(bot.markets, bot.currencies);
    stale.nonce = () => Date.now() - 60_000;
    await denied(() => stale.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000), /auth_stale/);
  });

  it('denies a request from an IP outside the client allow-list, and a revoked client', async () => {
    const ipBot = await h.issue('kucoin', 'kucoin-ipbot', { policy, ipAllow: ['10.0.0.0/8', 'fd00::/8'] });
    const other = await h.ccxt('kucoin', ipBot.credential);
    other.setMarkets(bot.markets, bot.currencies);
    await denied(() => other.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000), /ip_not_allowed/);
    const revoked = await h.issue('kucoin', 'kucoin-revoke', { policy });
    const gone = await h.ccxt('kucoin', revoked.credential);
    gone.setMarkets(bot.markets, bot.currencies);
    await h.clients.revoke(revoked.client.id);
    await denied(() => gone.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 59000), /client_revoked/);
  });
});
