/**
 * Emulated KuCoin spot: the same auth checks and error codes as api.kucoin.com (via the
 * adapter's kucoinVerify), key permissions (General / Spot / Transfer / InnerTransfer) and IP
 * allow-lists, and the endpoints an unmodified CCXT client uses, answered in KuCoin's shapes.
 * Strict like the gateway: a field KuCoin's docs do not list for an endpoint is refused with
 * 400100, so a differential test sees what an unread field would have done.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { randomToken } from '../core/index.js';
import type { ExchangeResponse } from '../exchanges/index.js';
import { getParam, isRecord, type Params, textField } from '../exchanges/index.js';
import {
  API_KEY_INFO_PATH,
  kucoinError,
  kucoinMarketId,
  kucoinParse,
  kucoinSymbol,
  kucoinVerify,
} from '../exchanges/kucoin/index.js';
import { decimal, fieldSet, positive, unknownField } from './body-fields.js';
import {
  json,
  type SandboxContext,
  type SandboxKey,
  type SandboxPermissions,
  type SandboxRequest,
} from './emulator.js';
import { admitKey, standardEmulator } from './emulator-kit.js';
import { type EngineError, type Market, marketAssets, type Order, type Trade } from './engine.js';
import type { IssuedKey } from './seed-keys.js';

const ok = (data: unknown): ExchangeResponse => json(200, { code: '200000', data });
const err = (code: string, msg: string, status = 400): ExchangeResponse => kucoinError(code, msg, status);

function engineError(e: EngineError): ExchangeResponse {
  switch (e.code) {
    case 'insufficient_balance':
      return err('200004', 'Balance insufficient!', 200);
    case 'order_not_found':
      return err('400100', 'order_not_exist_or_not_allow_to_cancel');
    case 'duplicate_client_order_id':
      return err('400100', 'clientOid is duplicated');
    default:
      return err('400100', e.message);
  }
}

const page = (items: unknown[]) => ({
  currentPage: 1,
  pageSize: Math.max(items.length, 50),
  totalNum: items.length,
  totalPage: 1,
  items,
});

function symbolShape(m: Market): Record<string, unknown> {
  const small = m.price < 1;
  return {
    symbol: kucoinMarketId(m.symbol),
    name: kucoinMarketId(m.symbol),
    baseCurrency: m.base,
    quoteCurrency: m.quote,
    feeCurrency: m.quote,
    market: m.quote === 'USDT' ? 'USDS' : m.quote,
    baseMinSize: '0.00001',
    quoteMinSize: '0.1',
    baseMaxSize: '10000000000',
    quoteMaxSize: '99999999',
    baseIncrement: '0.00000001',
    quoteIncrement: '0.000001',
    priceIncrement: small ? '0.00001' : '0.01',
    priceLimitRate: '0.1',
    minFunds: '0.1',
    isMarginEnabled: false,
    enableTrading: true,
    feeCategory: 1,
    makerFeeCoefficient: '1.00',
    takerFeeCoefficient: '1.00',
    st: false,
  };
}

function tickerShape(m: Market): Record<string, string> {
  const p = decimal(m.price);
  return {
    symbol: kucoinMarketId(m.symbol),
    symbolName: kucoinMarketId(m.symbol),
    buy: p,
    sell: p,
    bestBidSize: '1',
    bestAskSize: '1',
    changeRate: '0',
    changePrice: '0',
    high: p,
    low: p,
    vol: '0',
    volValue: '0',
    last: p,
    averagePrice: p,
    takerFeeRate: '0.001',
    makerFeeRate: '0.001',
    takerCoefficient: '1',
    makerCoefficient: '1',
  };
}

function currencyShape(currency: string): Record<string, unknown> {
  return {
    currency,
    name: currency,
    fullName: currency,
    precision: 8,
    confirms: null,
    contractAddress: null,
    isMarginEnabled: false,
    isDebitEnabled: false,
    chains: [
      {
        chainName: currency === 'USDT' ? 'TRC20' : currency,
        chainId: currency === 'USDT' ? 'trx' : currency.toLowerCase(),
        withdrawalMinSize: '0.0001',
        depositMinSize: '0.0001',
        withdrawFeeRate: '0',
        withdrawalMinFee: '0',
        isWithdrawEnabled: true,
        isDepositEnabled: true,
        confirms: 1,
        preConfirms: 1,
        contractAddress: '',
        needTag: false,
      },
    ],
  };
}

function orderShape(o: Order): Record<string, unknown> {
  const dealFunds = o.filled * (o.averagePrice ?? 0);
  return {
    id: o.id,
    symbol: kucoinMarketId(o.symbol),
    opType: 'DEAL',
    type: o.type,
    side: o.side,
    price: o.price === undefined ? '0' : decimal(o.price),
    size: decimal(o.quantity),
    funds: '0',
    dealFunds: decimal(dealFunds),
    dealSize: decimal(o.filled),
    fee: decimal(dealFunds * 0.001),
    feeCurrency: o.symbol.split('/')[1] ?? '',
    stp: '',
    stop: '',
    stopTriggered: false,
    stopPrice: '0',
    timeInForce: 'GTC',
    postOnly: false,
    hidden: false,
    iceberg: false,
    visibleSize: '0',
    cancelAfter: 0,
    channel: 'API',
    clientOid: o.clientOrderId ?? '',
    remark: null,
    tags: null,
    isActive: o.status === 'open',
    cancelExist: o.status === 'canceled',
    createdAt: o.createdAt,
    tradeType: 'TRADE',
  };
}

function fillShape(t: Trade): Record<string, unknown> {
  return {
    symbol: kucoinMarketId(t.symbol),
    tradeId: t.id,
    orderId: t.orderId,
    counterOrderId: `c${t.id}`,
    side: t.side,
    liquidity: 'taker',
    forceTaker: false,
    price: decimal(t.price),
    size: decimal(t.quantity),
    funds: decimal(t.price * t.quantity),
    fee: decimal(t.fee),
    feeRate: '0.001',
    feeCurrency: t.feeCurrency,
    stop: '',
    type: 'limit',
    createdAt: t.at,
    tradeType: 'TRADE',
  };
}

function publicRoute(req: SandboxRequest, ctx: SandboxContext, q: Params): ExchangeResponse | undefined {
  if (req.method !== 'GET') return undefined;
  const { engine } = ctx;
  switch (req.path) {
    case '/api/v1/timestamp':
      return ok(ctx.clock.now());
    case '/api/v2/symbols':
    case '/api/v1/symbols':
      return ok(engine.markets().map(symbolShape));
    case '/api/v3/currencies':
      return ok(marketAssets(engine).map(currencyShape));
    case '/api/v1/market/allTickers':
      return ok({ time: ctx.clock.now(), ticker: engine.markets().map(tickerShape) });
    case '/api/v1/market/orderbook/level1':
    case '/api/v1/market/stats': {
      const symbol = kucoinSymbol(getParam(q, 'symbol') ?? '');
      const m = symbol === undefined ? undefined : engine.market(symbol);
      if (!m || m.settle !== undefined) return err('400100', 'Unsupported trading pair.');
      const p = decimal(m.price);
      if (req.path === '/api/v1/market/stats') return ok({ time: ctx.clock.now(), ...tickerShape(m) });
      return ok({
        time: ctx.clock.now(),
        sequence: '1',
        price: p,
        size: '1',
        bestBid: p,
        bestBidSize: '1',
        bestAsk: p,
        bestAskSize: '1',
      });
    }
    default:
      return undefined;
  }
}

/** Which of the key's permissions an endpoint needs (KuCoin: General, Spot, Transfer, InnerTransfer). */
function needs(method: string, path: string): keyof SandboxPermissions {
  if (path === '/api/v3/withdrawals' || path === '/api/v1/withdrawals')
    return method === 'GET' ? 'read' : 'withdraw';
  if (path.startsWith('/api/v1/withdrawals/') && method === 'DELETE') return 'withdraw';
  if (path === '/api/v3/accounts/universal-transfer' || path === '/api/v2/accounts/inner-transfer')
    return 'transfer';
  if ((method === 'POST' || method === 'DELETE') && /^\/api\/v1\/(orders|order\/)/.test(path)) return 'trade';
  return 'read';
}

const ORDER_COMMON = ['clientOid', 'side', 'symbol', 'type', 'remark', 'stp', 'tradeType'];
const ORDER_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  limit: fieldSet(
    ...ORDER_COMMON,
    'price',
    'size',
    'timeInForce',
    'cancelAfter',
    'postOnly',
    'hidden',
    'iceberg',
    'visibleSize',
  ),
  market: fieldSet(...ORDER_COMMON, 'size', 'funds'),
};
const WITHDRAW_FIELDS = fieldSet(
  'currency',
  'toAddress',
  'amount',
  'withdrawType',
  'chain',
  'memo',
  'isInner',
  'remark',
  'feeDeductType',
);
const UNIVERSAL_TRANSFER_FIELDS = fieldSet(
  'clientOid',
  'currency',
  'amount',
  'type',
  'fromAccountType',
  'toAccountType',
  'fromUserId',
  'toUserId',
  'fromAccountTag',
  'toAccountTag',
);
const INNER_TRANSFER_FIELDS = fieldSet('clientOid', 'currency', 'amount', 'from', 'to', 'fromTag', 'toTag');

function placeOrder(o: Record<string, unknown>, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const type = textField(o, 'type') ?? '';
  const fields = ORDER_FIELDS[type];
  if (!fields) return err('400100', 'type invalid');
  const bad = unknownField(o, fields);
  if (bad !== undefined) return err('400100', `${bad} is not a valid parameter`);
  const clientOid = textField(o, 'clientOid');
  if (!clientOid) return err('400100', 'validation.createOrder.clientOidIsRequired');
  const side = textField(o, 'side');
  if (side !== 'buy' && side !== 'sell') return err('400100', 'side invalid');
  const tradeType = textField(o, 'tradeType');
  if (tradeType !== undefined && tradeType !== 'TRADE') return err('400100', 'tradeType invalid');
  const symbol = kucoinSymbol(textField(o, 'symbol') ?? '');
  const market = symbol === undefined ? undefined : ctx.engine.market(symbol);
  if (!symbol || !market || market.settle !== undefined) return err('400100', 'Unsupported trading pair.');
  let placed: ReturnType<SandboxContext['engine']['placeOrder']>;
  if (type === 'limit') {
    const price = positive(o, 'price');
    const size = positive(o, 'size');
    if (price === undefined) return err('400100', 'price invalid');
    if (size === undefined) return err('400100', 'size invalid');
    // KuCoin's price protection: a limit more than priceLimitRate (10 %) through the market is refused.
    if (side === 'buy' ? price > market.price * 1.1 : price < market.price * 0.9)
      return err('400370', `Max. price: ${decimal(market.price * 1.1)}`);
    placed = ctx.engine.placeOrder({
      account: key.account,
      symbol,
      side,
      type: 'limit',
      price,
      quantity: size,
      clientOrderId: clientOid,
    });
    const tif = textField(o, 'timeInForce');
    if (placed.ok && placed.value.status === 'open' && (tif === 'IOC' || tif === 'FOK'))
      ctx.engine.cancelOrder(key.account, { id: placed.value.id });
  } else {
    const size = o.size === undefined ? undefined : positive(o, 'size');
    const funds = o.funds === undefined ? undefined : positive(o, 'funds');
    if ((o.size === undefined) === (o.funds === undefined)) return err('400100', 'size or funds is required');
    if (o.size !== undefined && size === undefined) return err('400100', 'size invalid');
    if (o.funds !== undefined && funds === undefined) return err('400100', 'funds invalid');
    placed = ctx.engine.placeOrder({
      account: key.account,
      symbol,
      side,
      type: 'market',
      ...(size !== undefined ? { quantity: size } : { quoteQuantity: funds }),
      clientOrderId: clientOid,
    });
  }
  if (!placed.ok) return engineError(placed.error);
  return ok({ orderId: placed.value.id, clientOid });
}

function withdraw(o: Record<string, unknown>, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const bad = unknownField(o, WITHDRAW_FIELDS);
  if (bad !== undefined) return err('400100', `${bad} is not a valid parameter`);
  const currency = textField(o, 'currency');
  const address = textField(o, 'toAddress');
  const amount = positive(o, 'amount');
  if (!currency || !address || amount === undefined)
    return err('400100', 'currency, toAddress and amount are required');
  if (textField(o, 'withdrawType') !== 'ADDRESS') return err('400100', 'withdrawType invalid');
  const chain = textField(o, 'chain');
  const memo = textField(o, 'memo');
  const w = ctx.engine.withdraw({
    account: key.account,
    coin: currency.toUpperCase(),
    amount,
    address,
    ...(chain ? { network: chain } : {}),
    ...(memo ? { tag: memo } : {}),
  });
  if (!w.ok)
    return w.error.code === 'insufficient_balance'
      ? err('200004', 'Balance insufficient!', 200)
      : err('400100', w.error.message);
  return ok({ withdrawalId: w.value.id });
}

/** Transfers move nothing in the sandbox (one balance per account); the fields are checked like KuCoin's. */
function transfer(o: Record<string, unknown>, allowed: ReadonlySet<string>): ExchangeResponse {
  const bad = unknownField(o, allowed);
  if (bad !== undefined) return err('400100', `${bad} is not a valid parameter`);
  if (!textField(o, 'clientOid') || !textField(o, 'currency') || positive(o, 'amount') === undefined)
    return err('400100', 'clientOid, currency and amount are required');
  return ok({ orderId: randomBytes(12).toString('hex') });
}

function apiKeyInfo(key: SandboxKey): Record<string, unknown> {
  const perms = ['General'];
  if (key.permissions.trade) perms.push('Spot');
  if (key.permissions.transfer) perms.push('InnerTransfer');
  if (key.permissions.withdraw) perms.push('Transfer');
  return {
    uid: 226383154,
    remark: key.name,
    apiKey: key.credential.apiKey,
    apiVersion: 3,
    permission: perms.join(','),
    ipWhitelist: (key.ipAllow ?? []).join(','),
    isMaster: true,
    createdAt: 1729821494000,
  };
}

function privateRoute(
  req: SandboxRequest,
  key: SandboxKey,
  ctx: SandboxContext,
  q: Params,
  body: Record<string, unknown> | undefined,
): ExchangeResponse {
  const { engine } = ctx;
  const route = `${req.method} ${req.path}`;
  const symbolParam = getParam(q, 'symbol');
  const symbol = symbolParam === undefined ? undefined : kucoinSymbol(symbolParam);
  if (symbolParam !== undefined && symbol === undefined) return err('400100', 'Unsupported trading pair.');
  switch (route) {
    case `GET ${API_KEY_INFO_PATH}`:
      return ok(apiKeyInfo(key));
    case 'GET /api/ua/v1/account/mode':
      return ok({ selfAccountMode: 'CLASSIC' });
    case 'GET /api/v3/margin/symbols':
      return ok({ timestamp: ctx.clock.now(), items: [] });
    case 'GET /api/v1/isolated/symbols':
      return ok([]);
    // Not migrated to KuCoin's high-frequency trade account: CCXT then uses the classic endpoints.
    case 'GET /api/v1/hf/accounts/opened':
      return ok(false);
    case 'GET /api/v1/accounts': {
      const type = getParam(q, 'type');
      if (type !== undefined && type !== 'trade' && type !== 'main') return ok([]);
      const only = getParam(q, 'currency');
      // The sandbox keeps one balance per account: it is shown as KuCoin's trade account.
      if (type === 'main') return ok([]);
      return ok(
        [...engine.balances(key.account).entries()]
          .filter(([c]) => only === undefined || c === only)
          .map(([currency, b], i) => ({
            id: `${key.account}-${i}`,
            currency,
            type: 'trade',
            balance: decimal(b.free + b.locked),
            available: decimal(b.free),
            holds: decimal(b.locked),
          })),
      );
    }
    case 'POST /api/v1/orders':
      return body ? placeOrder(body, key, ctx) : err('400100', 'body is required');
    case 'GET /api/v1/orders': {
      const status = getParam(q, 'status') ?? 'done';
      const list =
        status === 'active'
          ? engine.openOrders(key.account, symbol)
          : engine.closedOrders(key.account, symbol);
      return ok(page(list.slice().reverse().map(orderShape)));
    }
    case 'DELETE /api/v1/orders': {
      const tradeType = getParam(q, 'tradeType');
      if (tradeType !== undefined && tradeType !== 'TRADE') return err('400100', 'tradeType invalid');
      const ids: string[] = [];
      for (const o of engine.openOrders(key.account, symbol)) {
        if (engine.cancelOrder(key.account, { id: o.id }).ok) ids.push(o.id);
      }
      return ok({ cancelledOrderIds: ids });
    }
    case 'GET /api/v1/fills':
    case 'GET /api/v1/limit/fills': {
      const orderId = getParam(q, 'orderId');
      const fills = engine
        .trades(key.account, symbol)
        .filter((t) => orderId === undefined || t.orderId === orderId);
      return ok(page(fills.slice().reverse().map(fillShape)));
    }
    case 'POST /api/v3/withdrawals':
      return body ? withdraw(body, key, ctx) : err('400100', 'body is required');
    case 'GET /api/v1/withdrawals':
      return ok(
        page(
          engine.withdrawals(key.account).map((w) => ({
            id: w.id,
            currency: w.coin,
            chain: w.network ?? '',
            status: 'SUCCESS',
            address: w.address,
            memo: w.tag ?? '',
            isInner: false,
            amount: decimal(w.amount),
            fee: '0',
            walletTxId: `tx${w.id}`,
            createdAt: w.at,
            updatedAt: w.at,
            remark: '',
          })),
        ),
      );
    case 'POST /api/v3/accounts/universal-transfer':
      return body ? transfer(body, UNIVERSAL_TRANSFER_FIELDS) : err('400100', 'body is required');
    case 'POST /api/v2/accounts/inner-transfer':
      return body ? transfer(body, INNER_TRANSFER_FIELDS) : err('400100', 'body is required');
    default:
      return byId(req, key, ctx, q);
  }
}

/** The order endpoints that name an order in the path. */
function byId(req: SandboxRequest, key: SandboxKey, ctx: SandboxContext, q: Params): ExchangeResponse {
  const byOrder = /^\/api\/v1\/orders\/([^/]+)$/.exec(req.path);
  const byClient = /^\/api\/v1\/order\/client-order\/([^/]+)$/.exec(req.path);
  const ref = byOrder ? { id: byOrder[1] } : byClient ? { clientOrderId: byClient[1] } : undefined;
  if (!ref || (req.method !== 'GET' && req.method !== 'DELETE')) return err('404000', 'Url Not Found', 404);
  if (q.length > 0) return err('400100', `${q[0]?.[0] ?? ''} is not a valid parameter`);
  if (req.method === 'GET') {
    const order = ctx.engine.order(key.account, ref);
    return order ? ok(orderShape(order)) : err('400100', 'order not exist.');
  }
  const canceled = ctx.engine.cancelOrder(key.account, ref);
  if (!canceled.ok) return engineError(canceled.error);
  return byOrder
    ? ok({ cancelledOrderIds: [canceled.value.id] })
    : ok({ cancelledOrderId: canceled.value.id, clientOid: canceled.value.clientOrderId ?? '' });
}

function handle(req: SandboxRequest, ctx: SandboxContext): ExchangeResponse {
  const parsed = kucoinParse(req);
  if (!parsed.ok) return err('400100', parsed.message);
  const pub = publicRoute(req, ctx, parsed.query);
  if (pub) return pub;
  if (!req.path.startsWith('/api/')) return err('404000', 'Url Not Found', 404);

  const admitted = admitKey(req, ctx, {
    header: 'kc-api-key',
    missingKey: () =>
      err(
        '400001',
        'Any of KC-API-KEY, KC-API-SIGN, KC-API-TIMESTAMP, KC-API-PASSPHRASE is missing in your request header.',
        401,
      ),
    unknownKey: () => err('400003', 'KC-API-KEY does not exist.', 401),
    verify(key) {
      const failure = kucoinVerify(req, key.verifySecret, key.credential.password, ctx.clock.now());
      return failure && err(failure.code, failure.msg, 401);
    },
    ipRefused: () => err('400006', `Invalid request IP, the current client IP is: ${req.sourceIp}.`, 403),
    need: needs(req.method, req.path),
    denied: () => err('400007', 'Access denied, requires more permission.', 403),
  });
  if (!admitted.ok) return admitted.response;
  const body = isRecord(parsed.body) ? parsed.body : undefined;
  return privateRoute(req, admitted.key, ctx, parsed.query, body);
}

function issueKey(): IssuedKey {
  const secret = randomUUID();
  return {
    credential: { apiKey: randomBytes(12).toString('hex'), secret, password: randomToken(16) },
    verifySecret: secret,
  };
}

export const kucoinEmulator = standardEmulator('kucoin', issueKey, handle);
