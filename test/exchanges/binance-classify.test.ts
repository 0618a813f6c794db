import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/index.js';
import { binance } from '../../src/exchanges/binance/index.js';
import { itClassifiesEach, limitNotional, ordersOf, withdrawalOf } from './helpers.js';

// Every Binance endpoint named in exchanges.md §1.4/§1.5/§7 plus the CCXT loadMarkets calls (Appendix A).
const TABLE: Array<[string, string, Action]> = [
  ['GET', '/api/v3/exchangeInfo', 'public'],
  ['GET', '/api/v3/ticker/price', 'public'],
  ['GET', '/api/v3/time', 'public'],
  ['GET', '/api/v3/depth', 'public'],
  ['GET', '/api/v3/klines', 'public'],
  ['GET', '/api/v3/account', 'read'],
  ['GET', '/api/v3/openOrders', 'read'],
  ['GET', '/api/v3/order', 'read'],
  ['GET', '/api/v3/allOrders', 'read'],
  ['GET', '/api/v3/myTrades', 'read'],
  ['GET', '/api/v3/account/commission', 'read'],
  ['GET', '/api/v3/rateLimit/order', 'read'],
  ['GET', '/api/v3/orderList', 'read'],
  ['GET', '/api/v3/allOrderList', 'read'],
  ['GET', '/api/v3/openOrderList', 'read'],
  ['GET', '/api/v3/myPreventedMatches', 'read'],
  ['GET', '/api/v3/myAllocations', 'read'],
  ['GET', '/api/v3/order/amendments', 'read'],
  ['GET', '/api/v3/myFilters', 'read'],
  ['GET', '/sapi/v1/capital/config/getall', 'read'],
  ['GET', '/sapi/v1/capital/deposit/hisrec', 'read'],
  ['GET', '/sapi/v1/capital/withdraw/history', 'read'],
  ['GET', '/sapi/v1/capital/deposit/address', 'read'],
  ['GET', '/sapi/v1/asset/transfer', 'read'],
  ['GET', '/sapi/v1/account/apiRestrictions', 'read'],
  ['GET', '/sapi/v1/account/apiRestrictions/ipRestriction', 'read'],
  ['GET', '/sapi/v1/sub-account/subAccountApi/ipRestriction', 'read'],
  ['GET', '/sapi/v1/margin/allPairs', 'read'],
  ['GET', '/sapi/v1/margin/isolated/allPairs', 'read'],
  ['POST', '/api/v3/order', 'trade'],
  ['POST', '/api/v3/order/test', 'trade'],
  ['POST', '/api/v3/order/cancelReplace', 'trade'],
  ['PUT', '/api/v3/order/amend/keepPriority', 'trade'],
  ['POST', '/api/v3/order/oco', 'trade'],
  ['POST', '/api/v3/orderList/oco', 'trade'],
  ['POST', '/api/v3/orderList/oto', 'trade'],
  ['POST', '/api/v3/orderList/otoco', 'trade'],
  ['POST', '/api/v3/orderList/opo', 'trade'],
  ['POST', '/api/v3/orderList/opoco', 'trade'],
  ['POST', '/api/v3/sor/order', 'trade'],
  ['POST', '/api/v3/sor/order/test', 'trade'],
  ['DELETE', '/api/v3/order', 'cancel'],
  ['DELETE', '/api/v3/openOrders', 'cancel'],
  ['DELETE', '/api/v3/orderList', 'cancel'],
  ['POST', '/sapi/v1/capital/withdraw/apply', 'withdraw'],
  ['POST', '/sapi/v1/localentity/withdraw/apply', 'withdraw'],
  ['POST', '/sapi/v1/asset/transfer', 'transfer'],
  ['POST', '/sapi/v1/sub-account/universalTransfer', 'transfer'],
  ['POST', '/sapi/v1/sub-account/transfer/subToMaster', 'transfer'],
  ['POST', '/sapi/v1/sub-account/transfer/subToSub', 'transfer'],
  ['POST', '/sapi/v1/sub-account/futures/transfer', 'transfer'],
  ['POST', '/sapi/v1/sub-account/margin/transfer', 'transfer'],
  ['POST', '/sapi/v1/sub-account/futures/internalTransfer', 'transfer'],
  ['POST', '/sapi/v1/margin/transfer', 'transfer'],
  ['POST', '/sapi/v1/margin/isolated/transfer', 'transfer'],
  ['POST', '/sapi/v1/futures/transfer', 'transfer'],
  ['POST', '/sapi/v1/asset/dust', 'transfer'],
  ['POST', '/sapi/v1/managed-subaccount/withdraw', 'transfer'],
  ['POST', '/sapi/v1/managed-subaccount/deposit', 'transfer'],
  ['POST', '/sapi/v1/broker/transfer', 'transfer'],
  ['POST', '/sapi/v1/sub-account/virtualSubAccount', 'account-admin'],
  ['POST', '/sapi/v1/sub-account/subAccountApi/ipRestriction', 'account-admin'],
  ['POST', '/sapi/v1/account/enableFastWithdrawSwitch', 'account-admin'],
  ['POST', '/sapi/v1/margin/order', 'margin'],
  ['POST', '/sapi/v1/margin/order/oco', 'margin'],
  ['POST', '/sapi/v1/margin/borrow-repay', 'margin'],
  ['POST', '/sapi/v1/margin/loan', 'margin'],
  ['POST', '/sapi/v1/margin/repay', 'margin'],
  ['POST', '/sapi/v1/margin/max-leverage', 'margin'],
  ['DELETE', '/sapi/v1/margin/order', 'cancel'],
  ['GET', '/sapi/v1/margin/account', 'read'],
  ['POST', '/sapi/v1/convert/getQuote', 'convert'],
  ['POST', '/sapi/v1/convert/acceptQuote', 'convert'],
  ['POST', '/sapi/v1/convert/limit/placeOrder', 'convert'],
  ['GET', '/sapi/v1/convert/orderStatus', 'read'],
  ['GET', '/sapi/v1/some/new/endpoint', 'unknown'],
  ['POST', '/api/v3/somethingNew', 'unknown'],
  ['GET', '/../../etc/passwd', 'unknown'],
];

describe('binance classify: every documented endpoint', () => {
  itClassifiesEach(binance, TABLE);

  it('reads a limit order: symbol, side, type, quantity, price', () => {
    const orders = ordersOf(
      binance,
      'POST',
      '/api/v3/order',
      'symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.5&price=60000&timestamp=1',
    );
    expect(orders).toEqual([
      {
        rawSymbol: 'BTCUSDT',
        symbol: 'BTC/USDT',
        market: 'spot',
        side: 'buy',
        type: 'limit',
        pricing: 'limit',
        quantity: 0.5,
        price: 60000,
        prices: [{ field: 'price', value: 60000 }],
      },
    ]);
    expect(limitNotional(orders[0])).toBe(30000);
  });

  it('reads a market buy by quote quantity (quoteOrderQty), priced at the market', () => {
    const [order] = ordersOf(
      binance,
      'POST',
      '/api/v3/order',
      '',
      'symbol=ETHBTC&side=BUY&type=MARKET&quoteOrderQty=0.25',
    );
    expect(order).toMatchObject({
      symbol: 'ETH/BTC',
      side: 'buy',
      type: 'market',
      pricing: 'market',
      quoteQuantity: 0.25,
      prices: [],
    });
    expect(order?.quantity).toBeUndefined();
    expect(limitNotional(order)).toBe(0.25);
  });

  it('reads both legs of an OCO and all three orders of an OTOCO, with every price field', () => {
    const oco = ordersOf(
      binance,
      'POST',
      '/api/v3/orderList/oco',
      'symbol=BTCUSDT&side=SELL&quantity=1&aboveType=LIMIT_MAKER&abovePrice=70000&belowType=STOP_LOSS_LIMIT&belowStopPrice=50000&belowPrice=49000&belowTimeInForce=GTC',
    );
    expect(oco.map((o) => [o.side, o.type, o.pricing, o.price, o.quantity])).toEqual([
      ['sell', 'limit_maker', 'limit', 70000, 1],
      ['sell', 'stop_loss_limit', 'limit', 49000, 1],
    ]);
    expect(oco[1]?.prices).toEqual([
      { field: 'belowPrice', value: 49000 },
      { field: 'belowStopPrice', value: 50000 },
    ]);
    const otoco = ordersOf(
      binance,
      'POST',
      '/api/v3/orderList/otoco',
      'symbol=BNBFDUSD&workingType=LIMIT&workingSide=BUY&workingPrice=500&workingQuantity=2&workingTimeInForce=GTC&pendingSide=SELL&pendingQuantity=2&pendingAboveType=LIMIT_MAKER&pendingAbovePrice=600&pendingBelowType=STOP_LOSS&pendingBelowStopPrice=450',
    );
    expect(otoco).toHaveLength(3);
    expect(otoco[0]).toMatchObject({ symbol: 'BNB/FDUSD', side: 'buy', price: 500, quantity: 2 });
    expect(limitNotional(otoco[0])).toBe(1000);
    expect(otoco[2]).toMatchObject({
      side: 'sell',
      type: 'stop_loss',
      pricing: 'market',
      prices: [{ field: 'pendingBelowStopPrice', value: 450 }],
    });
  });

  it('reads a withdrawal: coin, amount, address, network, tag', () => {
    const w = withdrawalOf(
      binance,
      'POST',
      '/sapi/v1/capital/withdraw/apply',
      'coin=usdt&address=TXabc&amount=25.5&network=TRX&addressTag=7',
    );
    expect(w).toEqual({ coin: 'USDT', amount: 25.5, address: 'TXabc', network: 'TRX', tag: '7' });
  });

  it('reads a cancel symbol and a transfer asset', () => {
    expect(ordersOf(binance, 'DELETE', '/api/v3/order', '', 'symbol=SOLUSDT&orderId=1')).toEqual([
      { rawSymbol: 'SOLUSDT', symbol: 'SOL/USDT', market: 'spot' },
    ]);
    expect(
      withdrawalOf(binance, 'POST', '/sapi/v1/asset/transfer', 'type=MAIN_UMFUTURE&asset=USDT&amount=5'),
    ).toEqual({
      coin: 'USDT',
      amount: 5,
      address: 'MAIN_UMFUTURE',
    });
  });
});
