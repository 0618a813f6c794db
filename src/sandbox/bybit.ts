/**
 * Emulated Bybit v5: the same auth checks and retCodes as api.bybit.com (via the adapter's
 * bybitVerify), key permissions and IP allow-lists, and the endpoints an unmodified CCXT
 * client uses, answered in Bybit's own `{retCode, retMsg, result, retExtInfo, time}` shape.
 */
import type { ExchangeResponse } from '../exchanges/adapter.js';
import { bybitError, bybitMarketId, bybitSymbol, bybitVerify } from '../exchanges/bybit.js';
import { headerValue } from '../exchanges/http-text.js';
import { getParam, type Params, parseParams, toNumber } from '../exchanges/params.js';
import { isRecord, parseStrictJson, textField } from '../exchanges/strict-json.js';
import { randomToken } from '../util/random-id.js';
import {
  json,
  type SandboxContext,
  type SandboxEmulator,
  type SandboxKey,
  type SandboxPermissions,
  type SandboxRequest,
} from './emulator.js';
import { type EngineError, marketAssets, type Order, type Trade } from './engine.js';
import { ipRefused } from './key-auth.js';
import { decimal } from './okx.js';
import { type IssuedKey, seedKeys } from './seed-keys.js';

function ok(result: unknown, now: number): ExchangeResponse {
  return json(200, { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: now });
}

function engineCode(e: EngineError): number {
  switch (e.code) {
    case 'insufficient_balance':
      return 170131;
    case 'order_not_found':
      return 170213;
    case 'duplicate_client_order_id':
      return 170141;
    case 'unknown_symbol':
      return 170121;
    default:
      return 170130;
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function orderShape(o: Order): Record<string, string | number | boolean> {
  const status =
    o.status === 'open'
      ? o.filled > 0
        ? 'PartiallyFilled'
        : 'New'
      : o.status === 'filled'
        ? 'Filled'
        : 'Cancelled';
  return {
    orderId: o.id,
    orderLinkId: o.clientOrderId ?? '',
    symbol: bybitMarketId(o.symbol),
    price: o.price === undefined ? '0' : decimal(o.price),
    qty: decimal(o.quantity),
    side: cap(o.side),
    isLeverage: '0',
    positionIdx: 0,
    orderStatus: status,
    cancelType: 'UNKNOWN',
    rejectReason: 'EC_NoError',
    avgPrice: o.averagePrice === undefined ? '' : decimal(o.averagePrice),
    leavesQty: decimal(o.status === 'open' ? o.quantity - o.filled : 0),
    leavesValue: '0',
    cumExecQty: decimal(o.filled),
    cumExecValue: decimal(o.filled * (o.averagePrice ?? 0)),
    cumExecFee: '0',
    timeInForce: o.type === 'market' ? 'IOC' : 'GTC',
    orderType: cap(o.type),
    stopOrderType: '',
    triggerPrice: '0',
    takeProfit: '0',
    stopLoss: '0',
    reduceOnly: false,
    closeOnTrigger: false,
    createdTime: String(o.createdAt),
    updatedTime: String(o.updatedAt),
  };
}

function execShape(t: Trade, order: Order | undefined): Record<string, string | boolean> {
  return {
    symbol: bybitMarketId(t.symbol),
    orderId: t.orderId,
    orderLinkId: order?.clientOrderId ?? '',
    side: cap(t.side),
    orderPrice: order?.price === undefined ? '0' : decimal(order.price),
    orderQty: decimal(order?.quantity ?? t.quantity),
    leavesQty: '0',
    orderType: cap(order?.type ?? 'limit'),
    execFee: decimal(t.fee),
    feeCurrency: t.feeCurrency,
    execId: t.id,
    execPrice: decimal(t.price),
    execQty: decimal(t.quantity),
    execType: 'Trade',
    execValue: decimal(t.price * t.quantity),
    execTime: String(t.at),
    isMaker: false,
    feeRate: '0.001',
  };
}

function needs(path: string, method: string): keyof SandboxPermissions {
  if (method === 'POST' && path.startsWith('/v5/asset/withdraw/')) return 'withdraw';
  if (method === 'POST' && path.startsWith('/v5/asset/transfer/')) return 'transfer';
  if (method === 'POST' && path.startsWith('/v5/order/')) return 'trade';
  return 'read';
}

function publicRoute(req: SandboxRequest, ctx: SandboxContext, q: Params): ExchangeResponse | undefined {
  const now = ctx.clock.now();
  const { engine } = ctx;
  switch (req.path) {
    case '/v5/market/time':
      return ok({ timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` }, now);
    case '/v5/market/instruments-info': {
      const category = getParam(q, 'category') ?? '';
      if (category !== 'spot') return ok({ category, list: [], nextPageCursor: '' }, now);
      const symbol = getParam(q, 'symbol');
      const list = engine
        .markets()
        .filter((m) => symbol === undefined || bybitMarketId(m.symbol) === symbol)
        .map((m) => ({
          symbol: bybitMarketId(m.symbol),
          baseCoin: m.base,
          quoteCoin: m.quote,
          innovation: '0',
          status: 'Trading',
          marginTrading: 'none',
          lotSizeFilter: {
            basePrecision: '0.000001',
            quotePrecision: '0.00000001',
            minOrderQty: '0.000001',
            maxOrderQty: '100000000',
            minOrderAmt: '1',
            maxOrderAmt: '10000000',
          },
          priceFilter: { tickSize: m.price < 1 ? '0.00001' : '0.01' },
        }));
      return ok({ category, list, nextPageCursor: '' }, now);
    }
    case '/v5/market/tickers': {
      const category = getParam(q, 'category') ?? '';
      const symbol = getParam(q, 'symbol');
      const markets =
        category === 'spot'
          ? engine.markets().filter((m) => symbol === undefined || bybitMarketId(m.symbol) === symbol)
          : [];
      if (symbol !== undefined && markets.length === 0)
        return bybitError(10001, 'Not supported symbols', now);
      const list = markets.map((m) => ({
        symbol: bybitMarketId(m.symbol),
        bid1Price: decimal(m.price),
        bid1Size: '1',
        ask1Price: decimal(m.price),
        ask1Size: '1',
        lastPrice: decimal(m.price),
        prevPrice24h: decimal(m.price),
        price24hPcnt: '0',
        highPrice24h: decimal(m.price),
        lowPrice24h: decimal(m.price),
        turnover24h: '0',
        volume24h: '0',
      }));
      return ok({ category, list }, now);
    }
    default:
      return undefined;
  }
}

function placeOne(o: Record<string, unknown>, key: SandboxKey, ctx: SandboxContext) {
  const category = textField(o, 'category');
  const symbol = bybitSymbol(textField(o, 'symbol') ?? '', category);
  const side = textField(o, 'side')?.toLowerCase();
  const type = textField(o, 'orderType')?.toLowerCase();
  const qty = toNumber(textField(o, 'qty'));
  const price = toNumber(textField(o, 'price'));
  const link = textField(o, 'orderLinkId');
  if (category !== 'spot' || !symbol)
    return { ok: false as const, code: 10001, msg: 'params error: symbol invalid' };
  if (side !== 'buy' && side !== 'sell')
    return { ok: false as const, code: 10001, msg: 'params error: side invalid' };
  if (type !== 'limit' && type !== 'market') {
    return { ok: false as const, code: 10001, msg: 'params error: orderType invalid' };
  }
  if (qty === undefined) return { ok: false as const, code: 10001, msg: 'params error: qty invalid' };
  const unit = textField(o, 'marketUnit') || (side === 'buy' ? 'quoteCoin' : 'baseCoin');
  const inQuote = type === 'market' && unit === 'quoteCoin';
  const placed = ctx.engine.placeOrder({
    account: key.account,
    symbol,
    side,
    type,
    ...(inQuote ? { quoteQuantity: qty } : { quantity: qty }),
    ...(price !== undefined && type === 'limit' ? { price } : {}),
    ...(link ? { clientOrderId: link } : {}),
  });
  if (!placed.ok) return { ok: false as const, code: engineCode(placed.error), msg: placed.error.message };
  return { ok: true as const, order: placed.value };
}

function privateRoute(req: SandboxRequest, key: SandboxKey, ctx: SandboxContext, f: Record<string, unknown>) {
  const now = ctx.clock.now();
  const { engine } = ctx;
  const symbolOf = () => {
    const raw = textField(f, 'symbol');
    return raw === undefined ? undefined : bybitSymbol(raw, textField(f, 'category') ?? 'spot');
  };
  switch (`${req.method} ${req.path}`) {
    case 'GET /v5/user/query-api': {
      const wallet: string[] = [];
      if (key.permissions.transfer) wallet.push('AccountTransfer');
      if (key.permissions.withdraw) wallet.push('Withdraw');
      const readOnly = key.permissions.trade || key.permissions.withdraw ? 0 : 1;
      return ok(
        {
          id: '13770661',
          note: key.name,
          apiKey: key.credential.apiKey,
          readOnly,
          secret: '',
          permissions: {
            ContractTrade: key.permissions.trade ? ['Order', 'Position'] : [],
            Spot: key.permissions.trade ? ['SpotTrade'] : [],
            Wallet: wallet,
            Options: [],
            Derivatives: [],
            Exchange: [],
            Earn: [],
            NFT: [],
            CopyTrading: [],
            BlockTrade: [],
            Affiliate: [],
          },
          ips: key.ipAllow ?? ['*'],
          type: 1,
          deadlineDay: 90,
          expiredAt: '',
          createdAt: '2024-01-01T00:00:00Z',
          unified: 0,
          uta: 1,
          userID: 24617703,
          inviterID: 0,
          vipLevel: 'No VIP',
          mktMakerLevel: '0',
          affiliateID: 0,
          rsaPublicKey: '',
          isMaster: true,
          parentUid: '0',
          kycLevel: 'LEVEL_DEFAULT',
          kycRegion: '',
        },
        now,
      );
    }
    case 'GET /v5/account/info':
      return ok(
        {
          marginMode: 'REGULAR_MARGIN',
          updatedTime: String(now),
          unifiedMarginStatus: 6,
          dcpStatus: 'OFF',
          timeWindow: 10,
          smpGroup: 0,
          isMasterTrader: false,
          spotHedgingStatus: 'OFF',
        },
        now,
      );
    case 'GET /v5/asset/coin/query-info': {
      const rows = marketAssets(engine).map((coin) => ({
        name: coin,
        coin,
        remainAmount: '1000000',
        chains: [
          {
            chainType: coin,
            confirmation: '1',
            withdrawFee: '0',
            depositMin: '0',
            withdrawMin: '0.0001',
            chain: coin === 'USDT' ? 'TRX' : coin,
            chainDeposit: '1',
            chainWithdraw: '1',
            minAccuracy: '8',
            withdrawPercentageFee: '0',
            contractAddress: '',
          },
        ],
      }));
      return ok({ rows }, now);
    }
    case 'GET /v5/account/wallet-balance': {
      const only = textField(f, 'coin')?.split(',');
      const coin = [...engine.balances(key.account).entries()]
        .filter(([c]) => !only || only.includes(c))
        .map(([c, b]) => ({
          coin: c,
          equity: decimal(b.free + b.locked),
          walletBalance: decimal(b.free + b.locked),
          locked: decimal(b.locked),
          free: decimal(b.free),
          availableToWithdraw: decimal(b.free),
          usdValue: '0',
          borrowAmount: '0',
          accruedInterest: '0',
          totalOrderIM: '0',
          totalPositionIM: '0',
          unrealisedPnl: '0',
          cumRealisedPnl: '0',
        }));
      return ok(
        { list: [{ accountType: textField(f, 'accountType') ?? 'UNIFIED', totalEquity: '0', coin }] },
        now,
      );
    }
    case 'POST /v5/order/create': {
      const placed = placeOne(f, key, ctx);
      if (!placed.ok) return bybitError(placed.code, placed.msg, now);
      return ok({ orderId: placed.order.id, orderLinkId: placed.order.clientOrderId ?? '' }, now);
    }
    case 'POST /v5/order/cancel': {
      const orderId = textField(f, 'orderId');
      const link = textField(f, 'orderLinkId');
      const canceled = engine.cancelOrder(key.account, {
        ...(orderId ? { id: orderId } : {}),
        ...(link ? { clientOrderId: link } : {}),
      });
      if (!canceled.ok) return bybitError(170213, 'Order does not exist.', now);
      return ok({ orderId: canceled.value.id, orderLinkId: canceled.value.clientOrderId ?? '' }, now);
    }
    case 'POST /v5/order/cancel-all': {
      // Spot without a symbol cancels every open spot order (Bybit's default `orderFilter=Order`).
      if (textField(f, 'category') !== 'spot')
        return bybitError(10001, 'params error: the sandbox emulates category=spot only', now);
      const raw = textField(f, 'symbol');
      const symbol = raw === undefined ? undefined : bybitSymbol(raw, 'spot');
      if (raw !== undefined && symbol === undefined)
        return bybitError(10001, 'params error: symbol invalid', now);
      const list = [];
      for (const o of engine.openOrders(key.account, symbol)) {
        const canceled = engine.cancelOrder(key.account, { id: o.id });
        if (canceled.ok) list.push({ orderId: o.id, orderLinkId: o.clientOrderId ?? '' });
      }
      return ok({ list, success: '1' }, now);
    }
    case 'GET /v5/order/realtime':
    case 'GET /v5/order/history': {
      const symbol = symbolOf();
      const orderId = textField(f, 'orderId');
      const open = req.path === '/v5/order/realtime';
      const list = (open ? engine.openOrders(key.account, symbol) : engine.closedOrders(key.account, symbol))
        .filter((o) => orderId === undefined || o.id === orderId)
        .map(orderShape)
        .reverse();
      return ok({ category: textField(f, 'category') ?? 'spot', list, nextPageCursor: '' }, now);
    }
    case 'GET /v5/execution/list': {
      const list = engine
        .trades(key.account, symbolOf())
        .map((t) => execShape(t, engine.order(key.account, { id: t.orderId })))
        .reverse();
      return ok({ category: textField(f, 'category') ?? 'spot', list, nextPageCursor: '' }, now);
    }
    case 'POST /v5/asset/withdraw/create': {
      const coin = textField(f, 'coin');
      const amount = toNumber(textField(f, 'amount'));
      const address = textField(f, 'address');
      if (!coin || amount === undefined || !address || textField(f, 'timestamp') === undefined) {
        return bybitError(10001, 'params error: coin, amount, address and timestamp are required', now);
      }
      const chain = textField(f, 'chain');
      const tag = textField(f, 'tag');
      const w = engine.withdraw({
        account: key.account,
        coin,
        amount,
        address,
        ...(chain ? { network: chain } : {}),
        ...(tag ? { tag } : {}),
      });
      if (!w.ok) return bybitError(131212, w.error.message, now);
      return ok({ id: w.value.id }, now);
    }
    case 'GET /v5/asset/withdraw/query-record':
      return ok(
        {
          rows: engine.withdrawals(key.account).map((w) => ({
            coin: w.coin,
            chain: w.network ?? '',
            amount: decimal(w.amount),
            txID: `tx${w.id}`,
            status: 'success',
            toAddress: w.address,
            tag: w.tag ?? '',
            withdrawFee: '0',
            createTime: String(w.at),
            updateTime: String(w.at),
            withdrawId: w.id,
            withdrawType: 0,
          })),
          nextPageCursor: '',
        },
        now,
      );
    default:
      return json(404, { retCode: 10001, retMsg: 'Path not found', result: {}, retExtInfo: {}, time: now });
  }
}

function handle(req: SandboxRequest, ctx: SandboxContext): ExchangeResponse {
  const now = ctx.clock.now();
  const q = parseParams(req.query);
  if (!q.ok) return bybitError(10001, q.message, now);
  const pub = publicRoute(req, ctx, q.params);
  if (pub) return pub;
  if (!req.path.startsWith('/v5/')) return bybitError(10001, 'Path not found', now, 404);

  const apiKey = headerValue(req.headers, 'x-bapi-api-key');
  if (!apiKey) return bybitError(10003, 'API key is invalid.', now, 401);
  const key = ctx.keyById(apiKey);
  if (!key) return bybitError(10003, 'API key is invalid.', now);
  const failure = bybitVerify(req, key.verifySecret, now);
  if (failure) return bybitError(failure.retCode, failure.retMsg, now);
  if (ipRefused(key, req)) {
    return bybitError(10010, "Unmatched IP, please check your API key's bound IP addresses.", now);
  }
  if (!key.permissions[needs(req.path, req.method)]) {
    return bybitError(10005, 'Permission denied, please check your API key permissions.', now);
  }
  let fields: Record<string, unknown> = Object.fromEntries(q.params);
  if (req.method !== 'GET' && req.body !== '') {
    const parsed = parseStrictJson(req.body);
    if (!parsed.ok || !isRecord(parsed.value))
      return bybitError(10001, 'request body is not a valid JSON object', now);
    fields = parsed.value;
  }
  return privateRoute(req, key, ctx, fields);
}

function issueKey(): IssuedKey {
  // Bybit's system-generated keys: 18-character key, 36-character secret, both alphanumeric.
  const apiKey = randomToken(18);
  const secret = randomToken(36);
  return { credential: { apiKey, secret }, verifySecret: secret };
}

export const bybitEmulator: SandboxEmulator = {
  exchange: 'bybit',
  generateKeys() {
    return seedKeys('bybit', issueKey);
  },
  handle,
};
