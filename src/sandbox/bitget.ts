/**
 * Emulated Bitget v2 spot: the same auth checks and error codes as api.bitget.com (via the
 * adapter's bitgetVerify), key permissions (read / trade / transfer / withdraw) and IP
 * allow-lists, and the endpoints an unmodified CCXT client uses, answered in Bitget's shapes
 * (`{"code":"00000","msg":"success","requestTime":…,"data":…}`). Order bodies are checked field
 * by field: a field Bitget does not read on that endpoint is refused (40017), never ignored.
 */
import { randomBytes } from 'node:crypto';
import { randomToken } from '../core/index.js';
import {
  BITGET_ACCOUNT_TYPES,
  bitgetError,
  bitgetMarketId,
  bitgetSymbol,
  bitgetVerify,
} from '../exchanges/bitget/index.js';
import type { ExchangeResponse } from '../exchanges/index.js';
import { getParam, isRecord, type Params, textField } from '../exchanges/index.js';
import { decimal, fieldSet, positive, unknownField } from './body-fields.js';
import {
  json,
  type SandboxContext,
  type SandboxKey,
  type SandboxPermissions,
  type SandboxRequest,
} from './emulator.js';
import { admitKey, readQueryAndBody, standardEmulator } from './emulator-kit.js';
import { type EngineError, type Market, marketAssets, type Order, type Trade } from './engine.js';
import type { IssuedKey } from './seed-keys.js';

type Body = Record<string, unknown>;

function answer(ctx: SandboxContext, data: unknown): ExchangeResponse {
  return json(200, { code: '00000', msg: 'success', requestTime: ctx.clock.now(), data });
}

/** UNCONFIRMED: the HTTP statuses Bitget answers its error codes with (400 unless said). */
function err(ctx: SandboxContext, code: string, msg: string, status = 400): ExchangeResponse {
  return bitgetError(code, msg, status, ctx.clock.now());
}

function engineError(ctx: SandboxContext, e: EngineError): ExchangeResponse {
  switch (e.code) {
    case 'unknown_symbol':
      return err(ctx, '40034', 'Parameter symbol does not exist');
    case 'insufficient_balance':
      return err(ctx, '43012', 'Insufficient balance');
    case 'order_not_found':
      return err(ctx, '43001', 'The order does not exist');
    case 'duplicate_client_order_id':
      return err(ctx, '43118', 'Duplicate clientOid');
    default:
      return err(ctx, '40017', e.message);
  }
}

/** What Place-Order reads (the documented fields); anything else is refused, not ignored. */
const ORDER_FIELDS = fieldSet(
  'symbol',
  'side',
  'orderType',
  'force',
  'price',
  'size',
  'clientOid',
  'triggerPrice',
  'tpslType',
  'requestTime',
  'receiveWindow',
  'stpMode',
  'presetTakeProfitPrice',
  'executeTakeProfitPrice',
  'presetStopLossPrice',
  'executeStopLossPrice',
);
const CANCEL_FIELDS = fieldSet('symbol', 'orderId', 'clientOid', 'tpslType');
const BATCH_CANCEL_FIELDS = fieldSet('symbol', 'batchMode', 'orderList');
const BATCH_ITEM_FIELDS = fieldSet('symbol', 'orderId', 'clientOid');
const WITHDRAW_FIELDS = fieldSet(
  'coin',
  'transferType',
  'address',
  'chain',
  'innerToType',
  'areaCode',
  'tag',
  'size',
  'remark',
  'clientOid',
  'memberCode',
  'identityType',
  'companyName',
  'firstName',
  'lastName',
);
const TRANSFER_FIELDS = fieldSet('fromType', 'toType', 'amount', 'coin', 'symbol', 'clientOid');
const ACCOUNTS = fieldSet(...BITGET_ACCOUNT_TYPES);
const FORCES = fieldSet('gtc', 'post_only', 'fok', 'ioc');

const STATUS: Readonly<Record<Order['status'], string>> = {
  open: 'live',
  filled: 'filled',
  canceled: 'cancelled',
};

function orderShape(o: Order): Record<string, string> {
  const status = o.status === 'open' && o.filled > 0 ? 'partially_filled' : STATUS[o.status];
  const avg = o.averagePrice ?? 0;
  // A market buy was sized in quote: Bitget reports that size back.
  const size = o.type === 'market' && o.side === 'buy' ? o.quantity * avg : o.quantity;
  return {
    userId: '1000000001',
    symbol: bitgetMarketId(o.symbol),
    orderId: o.id,
    clientOid: o.clientOrderId ?? '',
    price: o.price === undefined ? '0' : decimal(o.price),
    size: decimal(size),
    orderType: o.type,
    side: o.side,
    status,
    priceAvg: decimal(avg),
    baseVolume: decimal(o.filled),
    quoteVolume: decimal(o.filled * avg),
    enterPointSource: 'API',
    orderSource: o.type === 'market' ? 'market' : 'normal',
    tpslType: 'normal',
    cTime: String(o.createdAt),
    uTime: String(o.updatedAt),
  };
}

function fillShape(t: Trade, type: string): Record<string, unknown> {
  return {
    userId: '1000000001',
    symbol: bitgetMarketId(t.symbol),
    orderId: t.orderId,
    tradeId: t.id,
    orderType: type,
    side: t.side,
    priceAvg: decimal(t.price),
    size: decimal(t.quantity),
    amount: decimal(t.price * t.quantity),
    // Bitget reports fees charged as negative numbers.
    feeDetail: {
      deduction: 'no',
      feeCoin: t.feeCurrency,
      totalDeductionFee: '0',
      totalFee: decimal(-t.fee),
    },
    tradeScope: 'taker',
    cTime: String(t.at),
    uTime: String(t.at),
  };
}

function symbolShape(m: Market): Record<string, unknown> {
  return {
    symbol: bitgetMarketId(m.symbol),
    baseCoin: m.base,
    quoteCoin: m.quote,
    minTradeAmount: '0',
    maxTradeAmount: '10000000000',
    takerFeeRate: '0.001',
    makerFeeRate: '0.001',
    pricePrecision: m.price < 1 ? '5' : '2',
    quantityPrecision: '6',
    quotePrecision: '8',
    status: 'online',
    minTradeUSDT: '1',
    buyLimitPriceRatio: '0.05',
    sellLimitPriceRatio: '0.05',
    areaSymbol: 'no',
    orderQuantity: '200',
    openTime: '1600000000000',
  };
}

function coinShape(coin: string): Record<string, unknown> {
  return {
    coinId: coin,
    coin,
    transfer: 'true',
    chains: [
      {
        chain: coin === 'USDT' ? 'TRC20' : coin,
        needTag: 'false',
        withdrawable: 'true',
        rechargeable: 'true',
        withdrawFee: '0',
        extraWithdrawFee: '0',
        depositConfirm: '1',
        withdrawConfirm: '1',
        minDepositAmount: '0.00000001',
        minWithdrawAmount: '0.0001',
        browserUrl: '',
        contractAddress: '',
        withdrawStep: '0',
        withdrawMinScale: '8',
        congestion: 'normal',
      },
    ],
  };
}

function tickerShape(m: Market, now: number): Record<string, string> {
  const p = decimal(m.price);
  return {
    symbol: bitgetMarketId(m.symbol),
    high24h: p,
    open: p,
    lastPr: p,
    low24h: p,
    quoteVolume: '0',
    baseVolume: '0',
    usdtVolume: '0',
    bidPr: p,
    askPr: p,
    bidSz: '1',
    askSz: '1',
    openUtc: p,
    ts: String(now),
    changeUtc24h: '0',
    change24h: '0',
  };
}

/** The engine market a Bitget symbol names (spot only). */
function marketOf(ctx: SandboxContext, raw: string | undefined): Market | undefined {
  const symbol = raw === undefined ? undefined : bitgetSymbol(raw);
  return symbol === undefined ? undefined : ctx.engine.market(symbol);
}

function publicRoute(req: SandboxRequest, ctx: SandboxContext, q: Params): ExchangeResponse | undefined {
  if (req.method !== 'GET') return undefined;
  const { engine } = ctx;
  switch (req.path) {
    case '/api/v2/public/time':
      return answer(ctx, { serverTime: String(ctx.clock.now()) });
    case '/api/v2/spot/public/symbols': {
      const raw = getParam(q, 'symbol');
      return answer(
        ctx,
        engine
          .markets()
          .filter((m) => raw === undefined || bitgetMarketId(m.symbol) === raw)
          .map(symbolShape),
      );
    }
    case '/api/v2/spot/public/coins': {
      const coin = getParam(q, 'coin');
      return answer(
        ctx,
        marketAssets(engine)
          .filter((c) => coin === undefined || c === coin)
          .map(coinShape),
      );
    }
    // CCXT loads these with the spot markets; the sandbox lends on no margin.
    case '/api/v2/margin/currencies':
      return answer(ctx, []);
    case '/api/v2/spot/market/tickers': {
      const raw = getParam(q, 'symbol');
      const markets = engine.markets().filter((m) => raw === undefined || bitgetMarketId(m.symbol) === raw);
      if (raw !== undefined && markets.length === 0)
        return err(ctx, '40034', 'Parameter symbol does not exist');
      return answer(
        ctx,
        markets.map((m) => tickerShape(m, ctx.clock.now())),
      );
    }
    default:
      return undefined;
  }
}

function needs(method: string, path: string): keyof SandboxPermissions {
  if (method === 'POST' && path === '/api/v2/spot/wallet/withdrawal') return 'withdraw';
  if (method === 'POST' && path === '/api/v2/spot/wallet/transfer') return 'transfer';
  if (method === 'POST' && path.startsWith('/api/v2/spot/trade/')) return 'trade';
  return 'read';
}

function authorities(p: SandboxPermissions): string[] {
  const out = [p.trade ? 'stow' : 'stor'];
  if (p.transfer) out.push('wtow');
  if (p.withdraw) out.push('wwow');
  return out;
}

function placeOrder(o: Body, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const bad = unknownField(o, ORDER_FIELDS);
  if (bad !== undefined) return err(ctx, '40017', `Parameter ${bad} is not supported`);
  // Plan and TP/SL orders are not emulated: refused rather than placed as plain orders.
  for (const f of ['triggerPrice', 'presetTakeProfitPrice', 'presetStopLossPrice'])
    if (o[f] !== undefined) return err(ctx, '40017', `Parameter ${f} is not supported by the sandbox`);
  if (o.tpslType !== undefined && o.tpslType !== 'normal')
    return err(ctx, '40017', 'Parameter tpslType is not supported by the sandbox');
  const market = marketOf(ctx, textField(o, 'symbol'));
  if (!market) return err(ctx, '40034', 'Parameter symbol does not exist');
  const side = textField(o, 'side');
  if (side !== 'buy' && side !== 'sell') return err(ctx, '40017', 'Parameter side error');
  const type = textField(o, 'orderType');
  if (type !== 'limit' && type !== 'market') return err(ctx, '40017', 'Parameter orderType error');
  const force = textField(o, 'force')?.toLowerCase();
  if (type === 'limit' && (force === undefined || !FORCES.has(force)))
    return err(ctx, '40017', 'Parameter force error');
  const size = positive(o, 'size');
  if (size === undefined) return err(ctx, '40017', 'Parameter size error');
  const price = type === 'limit' ? positive(o, 'price') : undefined;
  if (type === 'limit' && price === undefined) return err(ctx, '40017', 'Parameter price error');
  if (type === 'market' && o.price !== undefined)
    return err(ctx, '40017', 'Parameter price is not accepted on a market order');
  const clientOid = textField(o, 'clientOid');
  const placed = ctx.engine.placeOrder({
    account: key.account,
    symbol: market.symbol,
    side,
    type,
    // Bitget sizes a market buy in quote coins, every other order in base coins.
    ...(type === 'market' && side === 'buy' ? { quoteQuantity: size } : { quantity: size }),
    ...(price !== undefined ? { price } : {}),
    ...(clientOid ? { clientOrderId: clientOid } : {}),
  });
  if (!placed.ok) return engineError(ctx, placed.error);
  const order = placed.value;
  if ((force === 'ioc' || force === 'fok') && order.status === 'open')
    ctx.engine.cancelOrder(key.account, { id: order.id });
  return answer(ctx, { orderId: order.id, clientOid: order.clientOrderId ?? '' });
}

const BATCH_ORDER_FIELDS = fieldSet('symbol', 'batchMode', 'orderList');

/** Up to 50 orders of one symbol; each item is placed on its own and answered in successList or failureList. */
function batchOrders(o: Body, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const bad = unknownField(o, BATCH_ORDER_FIELDS);
  if (bad !== undefined) return err(ctx, '40017', `Parameter ${bad} is not supported`);
  const symbol = textField(o, 'symbol');
  if (!marketOf(ctx, symbol)) return err(ctx, '40034', 'Parameter symbol does not exist');
  const list = o.orderList;
  if (!Array.isArray(list) || list.length === 0 || list.length > 50)
    return err(ctx, '40017', 'Parameter orderList error');
  if (!list.every(isRecord)) return err(ctx, '40017', 'Parameter orderList error');
  const successList: Array<Record<string, string>> = [];
  const failureList: Array<Record<string, string>> = [];
  for (const item of list) {
    const placed = placeOrder({ symbol, ...item }, key, ctx);
    const parsed = JSON.parse(placed.body) as {
      code: string;
      msg: string;
      data: Record<string, string> | null;
    };
    const clientOid = textField(item, 'clientOid') ?? '';
    if (parsed.code === '00000' && parsed.data) successList.push(parsed.data);
    else failureList.push({ orderId: '', clientOid, errorCode: parsed.code, errorMsg: parsed.msg });
  }
  return answer(ctx, { successList, failureList });
}

function orderRef(o: Body): { id?: string; clientOrderId?: string } | undefined {
  const orderId = textField(o, 'orderId');
  const clientOid = textField(o, 'clientOid');
  if (orderId) return { id: orderId };
  if (clientOid) return { clientOrderId: clientOid };
  return undefined;
}

function cancelOne(o: Body, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const bad = unknownField(o, CANCEL_FIELDS);
  if (bad !== undefined) return err(ctx, '40017', `Parameter ${bad} is not supported`);
  const market = marketOf(ctx, textField(o, 'symbol'));
  if (!market) return err(ctx, '40034', 'Parameter symbol does not exist');
  const ref = orderRef(o);
  if (!ref) return err(ctx, '40017', 'Parameter orderId or clientOid cannot be empty');
  const order = ctx.engine.order(key.account, ref);
  if (order?.symbol !== market.symbol) return err(ctx, '43001', 'The order does not exist');
  const canceled = ctx.engine.cancelOrder(key.account, { id: order.id });
  if (!canceled.ok) return engineError(ctx, canceled.error);
  return answer(ctx, { orderId: order.id, clientOid: order.clientOrderId ?? '' });
}

function batchCancel(o: Body, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const bad = unknownField(o, BATCH_CANCEL_FIELDS);
  if (bad !== undefined) return err(ctx, '40017', `Parameter ${bad} is not supported`);
  const market = marketOf(ctx, textField(o, 'symbol'));
  if (!market) return err(ctx, '40034', 'Parameter symbol does not exist');
  const list = o.orderList;
  if (!Array.isArray(list) || list.length === 0 || list.length > 50)
    return err(ctx, '40017', 'Parameter orderList error');
  const items: Body[] = [];
  for (const item of list) {
    if (!isRecord(item)) return err(ctx, '40017', 'Parameter orderList error');
    const badItem = unknownField(item, BATCH_ITEM_FIELDS);
    if (badItem !== undefined) return err(ctx, '40017', `Parameter ${badItem} is not supported`);
    items.push(item);
  }
  const successList: Array<Record<string, string>> = [];
  const failureList: Array<Record<string, string>> = [];
  for (const item of items) {
    const ref = orderRef(item);
    const order = ref ? ctx.engine.order(key.account, ref) : undefined;
    const ids = { orderId: textField(item, 'orderId') ?? '', clientOid: textField(item, 'clientOid') ?? '' };
    const canceled =
      order?.symbol === market.symbol ? ctx.engine.cancelOrder(key.account, { id: order.id }) : undefined;
    if (canceled?.ok)
      successList.push({ orderId: canceled.value.id, clientOid: canceled.value.clientOrderId ?? '' });
    else failureList.push({ ...ids, errorCode: '43001', errorMsg: 'The order does not exist' });
  }
  return answer(ctx, { successList, failureList });
}

function withdraw(o: Body, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const bad = unknownField(o, WITHDRAW_FIELDS);
  if (bad !== undefined) return err(ctx, '40017', `Parameter ${bad} is not supported`);
  const coin = textField(o, 'coin');
  const address = textField(o, 'address');
  const size = positive(o, 'size');
  const transferType = textField(o, 'transferType');
  if (transferType !== 'on_chain' && transferType !== 'internal_transfer')
    return err(ctx, '40017', 'Parameter transferType error');
  if (!coin || !address || size === undefined)
    return err(ctx, '40017', 'Parameter coin, address or size cannot be empty');
  const chain = textField(o, 'chain');
  const tag = textField(o, 'tag');
  const w = ctx.engine.withdraw({
    account: key.account,
    coin,
    amount: size,
    address,
    ...(chain ? { network: chain } : {}),
    ...(tag ? { tag } : {}),
  });
  if (!w.ok) return engineError(ctx, w.error);
  return answer(ctx, { orderId: w.value.id, clientOid: textField(o, 'clientOid') ?? '' });
}

function transfer(o: Body, key: SandboxKey, ctx: SandboxContext): ExchangeResponse {
  const bad = unknownField(o, TRANSFER_FIELDS);
  if (bad !== undefined) return err(ctx, '40017', `Parameter ${bad} is not supported`);
  const from = textField(o, 'fromType') ?? '';
  const to = textField(o, 'toType') ?? '';
  if (!ACCOUNTS.has(from) || !ACCOUNTS.has(to))
    return err(ctx, '40017', 'Parameter fromType or toType error');
  const coin = textField(o, 'coin') ?? '';
  const amount = positive(o, 'amount');
  if (amount === undefined) return err(ctx, '40017', 'Parameter amount error');
  // The sandbox keeps one wallet per account: a transfer is checked against it and moves nothing.
  const free = ctx.engine.balances(key.account).get(coin)?.free ?? 0;
  if (free + 1e-12 < amount) return err(ctx, '43012', 'Insufficient balance');
  return answer(ctx, { transferId: randomBytes(8).readBigUInt64BE().toString(), clientOid: '' });
}

function listed<T extends { id: string }>(items: T[], q: Params): T[] {
  // Newest first, one page: `limit` (default and maximum 100), `idLessThan` = older than that id.
  const limit = Math.min(100, Math.max(1, Number(getParam(q, 'limit') ?? 100) || 100));
  const before = getParam(q, 'idLessThan');
  return items
    .slice()
    .reverse()
    .filter((o) => before === undefined || Number(o.id) < Number(before))
    .slice(0, limit);
}

function privateRoute(
  req: SandboxRequest,
  key: SandboxKey,
  ctx: SandboxContext,
  q: Params,
  body: Body | undefined,
): ExchangeResponse {
  const { engine } = ctx;
  const route = `${req.method} ${req.path}`;
  const symbolParam = getParam(q, 'symbol');
  const symbol = symbolParam === undefined ? undefined : bitgetSymbol(symbolParam);
  if (req.method === 'POST' && body === undefined) return err(ctx, '40017', 'Parameter body cannot be empty');
  const b = body ?? {};
  switch (route) {
    case 'GET /api/v2/spot/account/info':
      return answer(ctx, {
        userId: '1000000001',
        inviterId: '',
        ips: (key.ipAllow ?? []).join(','),
        authorities: authorities(key.permissions),
        parentId: 1000000001,
        traderType: 'not_trader',
        channelCode: '',
        channel: '',
        regisTime: '1600000000000',
      });
    case 'GET /api/v2/spot/account/assets': {
      const coin = getParam(q, 'coin');
      return answer(
        ctx,
        [...engine.balances(key.account).entries()]
          .filter(([c]) => coin === undefined || c === coin)
          .map(([c, bal]) => ({
            coin: c,
            available: decimal(bal.free),
            frozen: decimal(bal.locked),
            locked: '0',
            limitAvailable: '0',
            uTime: String(ctx.clock.now()),
          })),
      );
    }
    case 'POST /api/v2/spot/trade/place-order':
      return placeOrder(b, key, ctx);
    case 'POST /api/v2/spot/trade/batch-orders':
      return batchOrders(b, key, ctx);
    case 'POST /api/v2/spot/trade/cancel-order':
      return cancelOne(b, key, ctx);
    case 'POST /api/v2/spot/trade/batch-cancel-order':
      return batchCancel(b, key, ctx);
    case 'POST /api/v2/spot/trade/cancel-symbol-order': {
      const bad = unknownField(b, fieldSet('symbol'));
      if (bad !== undefined) return err(ctx, '40017', `Parameter ${bad} is not supported`);
      const market = marketOf(ctx, textField(b, 'symbol'));
      if (!market) return err(ctx, '40034', 'Parameter symbol does not exist');
      for (const o of engine.openOrders(key.account, market.symbol))
        engine.cancelOrder(key.account, { id: o.id });
      return answer(ctx, { symbol: bitgetMarketId(market.symbol) });
    }
    case 'GET /api/v2/spot/trade/unfilled-orders':
      return answer(ctx, listed(engine.openOrders(key.account, symbol), q).map(orderShape));
    case 'GET /api/v2/spot/trade/history-orders':
      return answer(ctx, listed(engine.closedOrders(key.account, symbol), q).map(orderShape));
    case 'GET /api/v2/spot/trade/orderInfo': {
      const ref = orderRef(Object.fromEntries(q));
      const order = ref ? engine.order(key.account, ref) : undefined;
      return answer(ctx, order ? [orderShape(order)] : []);
    }
    case 'GET /api/v2/spot/trade/fills': {
      const orderId = getParam(q, 'orderId');
      const trades = engine.trades(key.account, symbol).filter((t) => !orderId || t.orderId === orderId);
      return answer(
        ctx,
        listed(trades, q).map((t) =>
          fillShape(t, engine.order(key.account, { id: t.orderId })?.type ?? 'limit'),
        ),
      );
    }
    case 'POST /api/v2/spot/wallet/withdrawal':
      return withdraw(b, key, ctx);
    case 'POST /api/v2/spot/wallet/transfer':
      return transfer(b, key, ctx);
    case 'GET /api/v2/spot/wallet/withdrawal-records':
      return answer(
        ctx,
        engine.withdrawals(key.account).map((w) => ({
          orderId: w.id,
          tradeId: `tx${w.id}`,
          coin: w.coin,
          type: 'withdraw',
          size: decimal(w.amount),
          fee: '0',
          status: 'success',
          toAddress: w.address,
          tag: w.tag ?? '',
          chain: w.network ?? '',
          cTime: String(w.at),
          uTime: String(w.at),
        })),
      );
    default:
      return err(ctx, '40404', 'Request URL NOT FOUND', 404);
  }
}

function handle(req: SandboxRequest, ctx: SandboxContext): ExchangeResponse {
  const read = readQueryAndBody(req);
  if (!read.ok && read.part === 'query') return err(ctx, '40017', read.message);
  if (!read.ok || (read.body !== undefined && !isRecord(read.body)))
    return err(ctx, '40017', 'Parameter verification failed');
  const pub = publicRoute(req, ctx, read.query);
  if (pub) return pub;
  if (!req.path.startsWith('/api/v2/')) return err(ctx, '40404', 'Request URL NOT FOUND', 404);

  const admitted = admitKey(req, ctx, {
    header: 'access-key',
    missingKey: () => err(ctx, '40001', 'ACCESS_KEY cannot be empty', 401),
    unknownKey: () => err(ctx, '40037', 'Apikey does not exist', 401),
    verify(key) {
      const failure = bitgetVerify(req, key.verifySecret, key.credential.password, ctx.clock.now());
      return failure && err(ctx, failure.code, failure.msg, 401);
    },
    ipRefused: () => err(ctx, '40018', `Invalid IP ${req.sourceIp}`, 403),
    need: needs(req.method, req.path),
    denied: () => err(ctx, '40014', 'Incorrect permissions', 403),
  });
  if (!admitted.ok) return admitted.response;
  return privateRoute(req, admitted.key, ctx, read.query, read.body);
}

function issueKey(): IssuedKey {
  const secret = randomBytes(32).toString('hex');
  return {
    credential: { apiKey: `bg_${randomBytes(16).toString('hex')}`, secret, password: randomToken(16) },
    verifySecret: secret,
  };
}

export const bitgetEmulator = standardEmulator('bitget', issueKey, handle);
