/**
 * Emulated OKX v5: the same auth checks and error codes as okx.com (via the adapter's
 * okxVerify), key permissions (read / trade / withdraw) and IP allow-lists, and the
 * endpoints an unmodified CCXT client uses, answered in OKX's own shapes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type Result, randomToken } from '../core/index.js';
import type { ExchangeResponse } from '../exchanges/index.js';
import { getParam, isRecord, type Params, textField, toNumber } from '../exchanges/index.js';
import { okxError, okxInstId, okxSymbol, okxVerify } from '../exchanges/okx/index.js';
import { decimal, fieldSet, positive } from './body-fields.js';
import {
  json,
  type SandboxContext,
  type SandboxKey,
  type SandboxPermissions,
  type SandboxRequest,
} from './emulator.js';
import { admitKey, readQueryAndBody, standardEmulator } from './emulator-kit.js';
import { type EngineError, type Market, marketAssets, type Order, type Trade } from './engine.js';
import { perEngine } from './engine-state.js';
import { okxWsEmulator } from './okx-ws.js';
import type { IssuedKey } from './seed-keys.js';

const ok = (data: unknown[]): ExchangeResponse => json(200, { code: '0', msg: '', data });
const err = (code: string, msg: string, status = 200): ExchangeResponse => okxError(code, msg, status);

function engineCode(e: EngineError): string {
  switch (e.code) {
    case 'unknown_symbol':
      return '51001';
    case 'insufficient_balance':
      return '51008';
    case 'order_not_found':
      return '51400';
    case 'duplicate_client_order_id':
      return '51016';
    default:
      return '51000';
  }
}

/**
 * Contract values of the emulated perpetuals, as OKX lists them (DOGE-USDT-SWAP is 1,000 DOGE a
 * contract). The engine holds derivative orders in base units: sz × ctVal.
 */
const CONTRACT_VALUES: Readonly<Record<string, number>> = {
  'BTC/USDT:USDT': 0.01,
  'ETH/USDT:USDT': 0.1,
  'DOGE/USDT:USDT': 1000,
};
const ctValOf = (symbol: string): number => (symbol.includes(':') ? (CONTRACT_VALUES[symbol] ?? 1) : 1);
const instTypeOf = (symbol: string): string => (symbol.includes(':') ? 'SWAP' : 'SPOT');

/** The ids an amend replaced: OKX keeps an order's id across amends, the engine places a new order. */
interface Amends {
  /** Original (client-visible) order id → the engine order that now carries it. */
  current: Map<string, string>;
  /** Engine order id → the original id the client knows. */
  original: Map<string, string>;
  /** Client order id → the engine order that now carries it. */
  byClient: Map<string, string>;
  /** Engine order id → the client order id it carries after an amend. */
  clientOf: Map<string, string>;
}
const engineAmends = perEngine<Amends>(() => ({
  current: new Map(),
  original: new Map(),
  byClient: new Map(),
  clientOf: new Map(),
}));
function amendsOf(ctx: SandboxContext): Amends {
  return engineAmends(ctx.engine);
}
const shownId = (ctx: SandboxContext, o: Order) => amendsOf(ctx).original.get(o.id) ?? o.id;
const shownClient = (ctx: SandboxContext, o: Order) =>
  o.clientOrderId ?? amendsOf(ctx).clientOf.get(o.id) ?? '';

/** The engine order an OKX reference names, through any amends. */
function findOrder(
  ctx: SandboxContext,
  account: string,
  ordId?: string,
  clOrdId?: string,
): Order | undefined {
  const a = amendsOf(ctx);
  if (ordId) return ctx.engine.order(account, { id: a.current.get(ordId) ?? ordId });
  if (clOrdId) {
    const moved = a.byClient.get(clOrdId);
    return ctx.engine.order(account, moved ? { id: moved } : { clientOrderId: clOrdId });
  }
  return undefined;
}

function orderShape(o: Order, ctx: SandboxContext): Record<string, string> {
  const state = o.status === 'open' ? (o.filled > 0 ? 'partially_filled' : 'live') : o.status;
  const ctVal = ctValOf(o.symbol);
  const derivative = o.symbol.includes(':');
  return {
    instType: instTypeOf(o.symbol),
    instId: okxInstId(o.symbol),
    ordId: shownId(ctx, o),
    clOrdId: shownClient(ctx, o),
    tag: '',
    px: o.price === undefined ? '' : decimal(o.price),
    sz: decimal(o.quantity / ctVal),
    ordType: o.type,
    side: o.side,
    tdMode: derivative ? 'cross' : 'cash',
    tgtCcy: o.type === 'market' && !derivative ? 'base_ccy' : '',
    accFillSz: decimal(o.filled / ctVal),
    fillPx: o.averagePrice === undefined ? '' : decimal(o.averagePrice),
    avgPx: o.averagePrice === undefined ? '' : decimal(o.averagePrice),
    state,
    fee: '0',
    feeCcy: '',
    cTime: String(o.createdAt),
    uTime: String(o.updatedAt),
  };
}

function fillShape(t: Trade, clOrdId: string, ordId: string): Record<string, string> {
  return {
    instType: instTypeOf(t.symbol),
    instId: okxInstId(t.symbol),
    tradeId: t.id,
    ordId,
    clOrdId,
    billId: t.id,
    tag: '',
    fillPx: decimal(t.price),
    fillSz: decimal(t.quantity / ctValOf(t.symbol)),
    side: t.side,
    posSide: 'net',
    execType: 'T',
    feeCcy: t.feeCurrency,
    // OKX reports fees charged as negative numbers.
    fee: decimal(-t.fee),
    ts: String(t.at),
    fillTime: String(t.at),
  };
}

function instrumentShape(m: Market): Record<string, string> {
  const swap = m.settle !== undefined;
  return {
    instType: swap ? 'SWAP' : 'SPOT',
    instId: okxInstId(m.symbol),
    uly: swap ? `${m.base}-${m.quote}` : '',
    instFamily: swap ? `${m.base}-${m.quote}` : '',
    baseCcy: swap ? '' : m.base,
    quoteCcy: swap ? '' : m.quote,
    settleCcy: m.settle ?? '',
    ctVal: swap ? decimal(ctValOf(m.symbol)) : '',
    ctMult: swap ? '1' : '',
    ctValCcy: swap ? m.base : '',
    listTime: '1600000000000',
    expTime: '',
    lever: swap ? '100' : '',
    tickSz: m.price < 1 ? '0.00001' : '0.01',
    lotSz: swap ? '1' : '0.00000001',
    minSz: swap ? '1' : '0.00001',
    maxLmtSz: '1000000000',
    maxMktSz: '1000000',
    ctType: swap ? 'linear' : '',
    state: 'live',
    ruleType: 'normal',
  };
}

const PUBLIC_INSTRUMENT_TYPES = new Set(['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION']);

function needs(path: string, method: string): keyof SandboxPermissions {
  if (
    method === 'POST' &&
    (path === '/api/v5/asset/withdrawal' || path === '/api/v5/asset/cancel-withdrawal')
  ) {
    return 'withdraw';
  }
  if (method === 'POST' && path.startsWith('/api/v5/trade/')) return 'trade';
  if (method === 'POST' && path === '/api/v5/asset/transfer') return 'trade';
  if (method === 'POST' && path === '/api/v5/account/set-leverage') return 'trade';
  return 'read';
}

function publicRoute(req: SandboxRequest, ctx: SandboxContext, q: Params): ExchangeResponse | undefined {
  const { engine } = ctx;
  switch (req.path) {
    case '/api/v5/public/time':
      return ok([{ ts: String(ctx.clock.now()) }]);
    case '/api/v5/public/instruments': {
      const instType = getParam(q, 'instType') ?? '';
      if (!PUBLIC_INSTRUMENT_TYPES.has(instType)) return err('51000', 'Parameter instType error', 400);
      const instId = getParam(q, 'instId');
      const list =
        instType === 'SPOT' ? engine.markets() : instType === 'SWAP' ? engine.swaps() : ([] as Market[]);
      return ok(
        list.filter((m) => instId === undefined || okxInstId(m.symbol) === instId).map(instrumentShape),
      );
    }
    case '/api/v5/market/ticker':
    case '/api/v5/market/tickers': {
      const instId = getParam(q, 'instId');
      const instType = getParam(q, 'instType');
      const all = [...engine.markets(), ...engine.swaps()];
      const markets = all.filter(
        (m) =>
          (instId === undefined || okxInstId(m.symbol) === instId) &&
          (instType === undefined || instTypeOf(m.symbol) === instType),
      );
      if (req.path === '/api/v5/market/ticker' && markets.length === 0) {
        return err('51001', "Instrument ID doesn't exist.", 400);
      }
      const ts = String(ctx.clock.now());
      return ok(
        markets.map((m) => ({
          instType: instTypeOf(m.symbol),
          instId: okxInstId(m.symbol),
          last: decimal(m.price),
          lastSz: '0',
          askPx: decimal(m.price),
          askSz: '1',
          bidPx: decimal(m.price),
          bidSz: '1',
          open24h: decimal(m.price),
          high24h: decimal(m.price),
          low24h: decimal(m.price),
          volCcy24h: '0',
          vol24h: '0',
          sodUtc0: decimal(m.price),
          sodUtc8: decimal(m.price),
          ts,
        })),
      );
    }
    default:
      return undefined;
  }
}

interface OrderResult {
  ordId: string;
  clOrdId: string;
  tag: string;
  sCode: string;
  sMsg: string;
  ts: string;
  [extra: string]: string;
}

/** OKX's per-order refusal: its code and message, as the order's row carries them. */
type Refusal = Pick<OrderResult, 'sCode' | 'sMsg'>;

const ORDER_FIELDS = fieldSet(
  'instId',
  'tdMode',
  'ccy',
  'clOrdId',
  'tag',
  'side',
  'posSide',
  'ordType',
  'sz',
  'px',
  'reduceOnly',
  'tgtCcy',
  'banAmend',
  'stpMode',
  'attachAlgoOrds',
);
const LEG_FIELDS = fieldSet(
  'attachAlgoClOrdId',
  'tpTriggerPx',
  'tpOrdPx',
  'tpOrdKind',
  'tpTriggerPxType',
  'slTriggerPx',
  'slOrdPx',
  'slTriggerPxType',
  'sz',
  'amendPxOnTriggerType',
);
const AMEND_FIELDS = fieldSet(
  'instId',
  'ordId',
  'clOrdId',
  'cxlOnFail',
  'reqId',
  'newSz',
  'newPx',
  'newTpTriggerPx',
  'newTpOrdPx',
  'newTpOrdKind',
  'newTpTriggerPxType',
  'newSlTriggerPx',
  'newSlOrdPx',
  'newSlTriggerPxType',
);
const ALGO_COMMON = [
  'instId',
  'tdMode',
  'ccy',
  'side',
  'posSide',
  'ordType',
  'sz',
  'tag',
  'tgtCcy',
  'algoClOrdId',
  'reduceOnly',
  'closeFraction',
];
const TP_SL = [
  'tpTriggerPx',
  'tpTriggerPxType',
  'tpOrdPx',
  'tpOrdKind',
  'slTriggerPx',
  'slTriggerPxType',
  'slOrdPx',
  'cxlOnClosePos',
];
const ALGO_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  conditional: fieldSet(...ALGO_COMMON, ...TP_SL),
  oco: fieldSet(...ALGO_COMMON, ...TP_SL),
  trigger: fieldSet(...ALGO_COMMON, 'triggerPx', 'orderPx', 'triggerPxType', 'attachAlgoOrds'),
  move_order_stop: fieldSet(...ALGO_COMMON, 'callbackRatio', 'callbackSpread', 'activePx'),
};
const CANCEL_FIELDS = fieldSet('instId', 'ordId', 'clOrdId');
const LEVERAGE_FIELDS = fieldSet('instId', 'ccy', 'lever', 'mgnMode', 'posSide');
const WITHDRAW_FIELDS = fieldSet(
  'ccy',
  'amt',
  'dest',
  'toAddr',
  'toAddrType',
  'chain',
  'areaCode',
  'clientId',
  'fee',
  'rcvrInfo',
);

/** The first field of `o` that OKX does not read on this endpoint (OKX answers 51000 "Parameter {param} error"). */
function unknownField(o: Record<string, unknown>, allowed: ReadonlySet<string>): string | undefined {
  for (const k of Object.keys(o)) if (!allowed.has(k)) return k;
  if (allowed === ORDER_FIELDS || allowed === ALGO_FIELDS.trigger) {
    const legs = o.attachAlgoOrds;
    if (legs === undefined) return undefined;
    if (!Array.isArray(legs)) return 'attachAlgoOrds';
    for (const leg of legs) {
      if (!isRecord(leg)) return 'attachAlgoOrds';
      for (const k of Object.keys(leg)) if (!LEG_FIELDS.has(k)) return k;
    }
  }
  return undefined;
}

/** OKX's price limit: a buy at most 1.5× the last price, a sell at least half of it (51006). */
function outsidePriceLimit(side: 'buy' | 'sell', px: number, last: number): boolean {
  return side === 'buy' ? px > last * 1.5 : px < last * 0.5;
}

const LIMIT_TYPES = new Set(['limit', 'post_only', 'fok', 'ioc']);

interface Placement {
  symbol: string;
  side: 'buy' | 'sell';
  /** How the order executes: at the market, or resting at `px`. */
  px: number | undefined;
  /** Size as OKX reads it: contracts for a derivative, base (or quote when `inQuote`) for spot. */
  sz: number;
  inQuote: boolean;
  clOrdId?: string;
  /** Cancel whatever did not fill at once (ioc, fok, optimal_limit_ioc). */
  immediate: boolean;
}

/** Place one order on the engine in base units (a derivative's contracts × ctVal). */
function execute(p: Placement, key: SandboxKey, ctx: SandboxContext): Result<Order, Refusal> {
  const market = ctx.engine.market(p.symbol);
  if (!market) return { ok: false, error: { sCode: '51001', sMsg: "Instrument ID doesn't exist." } };
  if (p.px !== undefined && outsidePriceLimit(p.side, p.px, market.price))
    return { ok: false, error: { sCode: '51006', sMsg: 'Order price is not within the price limit' } };
  const ctVal = ctValOf(p.symbol);
  const placed = ctx.engine.placeOrder({
    account: key.account,
    symbol: p.symbol,
    side: p.side,
    type: p.px === undefined ? 'market' : 'limit',
    ...(p.inQuote ? { quoteQuantity: p.sz } : { quantity: p.sz * ctVal }),
    ...(p.px !== undefined ? { price: p.px } : {}),
    ...(p.clOrdId ? { clientOrderId: p.clOrdId } : {}),
  });
  if (!placed.ok)
    return { ok: false, error: { sCode: engineCode(placed.error), sMsg: placed.error.message } };
  if (p.immediate && placed.value.status === 'open')
    ctx.engine.cancelOrder(key.account, { id: placed.value.id });
  return { ok: true, value: placed.value };
}

/** Instrument, side and trade mode as OKX checks them for any order. */
function orderBasics(
  o: Record<string, unknown>,
): Result<{ symbol: string; side: 'buy' | 'sell'; derivative: boolean; cash: boolean }, Refusal> {
  const symbol = okxSymbol(textField(o, 'instId') ?? '');
  if (!symbol) return { ok: false, error: { sCode: '51001', sMsg: "Instrument ID doesn't exist." } };
  const derivative = symbol.includes(':');
  const side = textField(o, 'side');
  if (side !== 'buy' && side !== 'sell')
    return { ok: false, error: { sCode: '51000', sMsg: 'Parameter side error' } };
  const tdMode = textField(o, 'tdMode') ?? '';
  const modes = derivative ? ['cross', 'isolated'] : ['cash', 'cross', 'isolated', 'spot_isolated'];
  if (!modes.includes(tdMode))
    return { ok: false, error: { sCode: '51000', sMsg: 'Parameter tdMode error' } };
  return { ok: true, value: { symbol, side, derivative, cash: !derivative && tdMode === 'cash' } };
}

function placeOne(o: Record<string, unknown>, key: SandboxKey, ctx: SandboxContext): OrderResult {
  const clOrdId = textField(o, 'clOrdId') ?? '';
  const base = { ordId: '', clOrdId, tag: textField(o, 'tag') ?? '', ts: String(ctx.clock.now()) };
  const checked = orderBasics(o);
  if (!checked.ok) return { ...base, ...checked.error };
  const basics = checked.value;
  const ordType = textField(o, 'ordType') ?? '';
  const limit = LIMIT_TYPES.has(ordType);
  if (!limit && ordType !== 'market' && !(ordType === 'optimal_limit_ioc' && basics.derivative))
    return { ...base, sCode: '51000', sMsg: 'Parameter ordType error' };
  const sz = positive(o, 'sz');
  if (sz === undefined) return { ...base, sCode: '51000', sMsg: 'Parameter sz error' };
  const px = positive(o, 'px');
  if (limit && px === undefined) return { ...base, sCode: '51000', sMsg: 'Parameter px error' };
  if (!limit && o.px !== undefined) return { ...base, sCode: '51000', sMsg: 'Parameter px error' };
  const tgtCcy = textField(o, 'tgtCcy') || (basics.side === 'buy' ? 'quote_ccy' : 'base_ccy');
  if (post_onlyCrosses(ordType, basics.side, px, ctx, basics.symbol))
    return { ...base, sCode: '51000', sMsg: 'Parameter ordType error' };
  const done = execute(
    {
      symbol: basics.symbol,
      side: basics.side,
      px: limit ? px : undefined,
      sz,
      inQuote: basics.cash && !limit && tgtCcy === 'quote_ccy',
      clOrdId,
      immediate: ordType === 'ioc' || ordType === 'fok' || ordType === 'optimal_limit_ioc',
    },
    key,
    ctx,
  );
  if (!done.ok) return { ...base, ...done.error };
  return { ...base, ordId: done.value.id, sCode: '0', sMsg: 'Order placed' };
}

/** A post-only order that would take liquidity is refused rather than placed. */
function post_onlyCrosses(
  ordType: string,
  side: 'buy' | 'sell',
  px: number | undefined,
  ctx: SandboxContext,
  symbol: string,
): boolean {
  const last = ctx.engine.market(symbol)?.price;
  if (ordType !== 'post_only' || px === undefined || last === undefined) return false;
  return side === 'buy' ? px >= last : px <= last;
}

/**
 * An algo order. The sandbox's prices do not move, so it fires at once: a trigger order places
 * its order (at `orderPx`, `-1` = market), a conditional or oco order its stop-loss leg (else
 * its take-profit leg), a trailing stop a market order. Whatever keywarden let through executes.
 */
function placeAlgo(o: Record<string, unknown>, key: SandboxKey, ctx: SandboxContext): OrderResult {
  const algoClOrdId = textField(o, 'algoClOrdId') ?? '';
  const base = {
    ordId: '',
    clOrdId: '',
    algoId: '',
    algoClOrdId,
    tag: textField(o, 'tag') ?? '',
    ts: String(ctx.clock.now()),
  };
  const checked = orderBasics(o);
  if (!checked.ok) return { ...base, ...checked.error };
  const basics = checked.value;
  const ordType = textField(o, 'ordType') ?? '';
  const sz = positive(o, 'sz');
  if (sz === undefined) return { ...base, sCode: '51000', sMsg: 'Parameter sz error' };
  let orderPx: unknown;
  if (ordType === 'trigger') {
    if (positive(o, 'triggerPx') === undefined)
      return { ...base, sCode: '51000', sMsg: 'Parameter triggerPx error' };
    orderPx = o.orderPx;
  } else if (ordType === 'conditional' || ordType === 'oco') {
    const leg = o.slTriggerPx !== undefined ? 'sl' : 'tp';
    if (positive(o, `${leg}TriggerPx`) === undefined)
      return { ...base, sCode: '51000', sMsg: `Parameter ${leg}TriggerPx error` };
    orderPx = o[`${leg}OrdPx`];
  } else orderPx = '-1';
  const atMarket = orderPx === '-1' || orderPx === -1;
  const px = atMarket ? undefined : positive({ px: orderPx }, 'px');
  if (!atMarket && px === undefined) return { ...base, sCode: '51000', sMsg: 'Parameter orderPx error' };
  const tgtCcy = textField(o, 'tgtCcy') || (basics.side === 'buy' ? 'quote_ccy' : 'base_ccy');
  const done = execute(
    {
      symbol: basics.symbol,
      side: basics.side,
      px,
      sz,
      inQuote: basics.cash && atMarket && tgtCcy === 'quote_ccy',
      immediate: false,
    },
    key,
    ctx,
  );
  if (!done.ok) return { ...base, ...done.error };
  return { ...base, algoId: done.value.id, sCode: '0', sMsg: 'Order placed' };
}

/** OKX keeps the order id across an amend; the engine cancels and places anew, so the ids are mapped. */
function amendOne(o: Record<string, unknown>, key: SandboxKey, ctx: SandboxContext): OrderResult {
  const ordId = textField(o, 'ordId');
  const clOrdId = textField(o, 'clOrdId');
  const base = {
    ordId: ordId ?? '',
    clOrdId: clOrdId ?? '',
    reqId: textField(o, 'reqId') ?? '',
    tag: '',
    ts: String(ctx.clock.now()),
  };
  const order = findOrder(ctx, key.account, ordId, clOrdId);
  if (order?.status !== 'open' || okxInstId(order.symbol) !== textField(o, 'instId'))
    return { ...base, sCode: '51503', sMsg: 'Order modification failed as the order does not exist.' };
  const newSz = o.newSz === undefined ? undefined : positive(o, 'newSz');
  const newPx = o.newPx === undefined ? undefined : positive(o, 'newPx');
  if (o.newSz !== undefined && newSz === undefined)
    return { ...base, sCode: '51000', sMsg: 'Parameter newSz error' };
  if (o.newPx !== undefined && newPx === undefined)
    return { ...base, sCode: '51000', sMsg: 'Parameter newPx error' };
  const ctVal = ctValOf(order.symbol);
  const px = newPx ?? order.price;
  const market = ctx.engine.market(order.symbol);
  if (px !== undefined && market && outsidePriceLimit(order.side, px, market.price))
    return { ...base, sCode: '51006', sMsg: 'Order price is not within the price limit' };
  const shown = shownId(ctx, order);
  const client = shownClient(ctx, order);
  ctx.engine.cancelOrder(key.account, { id: order.id });
  const done = execute(
    {
      symbol: order.symbol,
      side: order.side,
      px,
      sz: newSz ?? (order.quantity - order.filled) / ctVal,
      inQuote: false,
      immediate: false,
    },
    key,
    ctx,
  );
  if (!done.ok) return { ...base, ...done.error };
  const a = amendsOf(ctx);
  a.current.set(shown, done.value.id);
  a.original.set(done.value.id, shown);
  if (client !== '') {
    a.byClient.set(client, done.value.id);
    a.clientOf.set(done.value.id, client);
  }
  return { ...base, ordId: shown, clOrdId: client, sCode: '0', sMsg: '' };
}

function cancelOne(o: Record<string, unknown>, key: SandboxKey, ctx: SandboxContext): OrderResult {
  const ordId = textField(o, 'ordId');
  const clOrdId = textField(o, 'clOrdId');
  const base = { ordId: ordId ?? '', clOrdId: clOrdId ?? '', tag: '', ts: String(ctx.clock.now()) };
  const order = findOrder(ctx, key.account, ordId, clOrdId);
  const canceled = order ? ctx.engine.cancelOrder(key.account, { id: order.id }) : undefined;
  if (!canceled?.ok)
    return { ...base, sCode: '51400', sMsg: 'Cancellation failed as the order does not exist.' };
  return {
    ...base,
    ordId: shownId(ctx, canceled.value),
    clOrdId: shownClient(ctx, canceled.value),
    sCode: '0',
    sMsg: '',
  };
}

/**
 * One order endpoint: a single-order endpoint takes one JSON object, a batch endpoint an array of
 * 1–20. Every field of every item is checked before anything executes.
 */
function orderCall(
  body: unknown,
  batch: boolean,
  fields: ReadonlySet<string>,
  run: (o: Record<string, unknown>) => OrderResult,
): ExchangeResponse {
  const items = batch ? body : [body];
  if (!Array.isArray(items) || items.length === 0 || items.length > 20 || (!batch && Array.isArray(body)))
    return err('50014', 'Parameter data can not be empty', 400);
  for (const o of items) {
    if (!isRecord(o)) return err('50002', 'Json data format error', 400);
    const bad = unknownField(o, fields);
    if (bad !== undefined) return err('51000', `Parameter ${bad} error`, 400);
  }
  return batchAnswer((items as Array<Record<string, unknown>>).map(run));
}

/** OKX answers batch results with code "0" (all ok), "2" (partial) or "1" (all failed). */
function batchAnswer(results: OrderResult[]): ExchangeResponse {
  const failed = results.filter((r) => r.sCode !== '0').length;
  if (failed === 0) return ok(results);
  const code = failed === results.length ? '1' : '2';
  const msg = failed === results.length ? 'All operations failed' : 'Bulk operation partially succeeded';
  return json(200, { code, msg, data: results });
}

function privateRoute(
  req: SandboxRequest,
  key: SandboxKey,
  ctx: SandboxContext,
  q: Params,
  body: unknown,
): ExchangeResponse {
  const { engine } = ctx;
  const route = `${req.method} ${req.path}`;
  const items = (Array.isArray(body) ? body : [body]).filter(isRecord);
  switch (route) {
    case 'GET /api/v5/account/config': {
      const perm = ['read_only'];
      if (key.permissions.trade) perm.push('trade');
      if (key.permissions.withdraw) perm.push('withdraw');
      return ok([
        {
          uid: '44705892343619584',
          mainUid: '44705892343619584',
          acctLv: '1',
          posMode: 'net_mode',
          autoLoan: false,
          greeksType: 'PA',
          level: 'Lv1',
          levelTmp: '',
          ctIsoMode: 'automatic',
          mgnIsoMode: 'automatic',
          spotOffsetType: '',
          roleType: '0',
          traderInsts: [],
          spotRoleType: '0',
          spotTraderInsts: [],
          opAuth: '0',
          kycLv: '2',
          label: key.name,
          ip: (key.ipAllow ?? []).join(','),
          perm: perm.join(','),
        },
      ]);
    }
    case 'GET /api/v5/asset/currencies': {
      return ok(
        marketAssets(engine).map((ccy) => ({
          ccy,
          name: ccy,
          chain: `${ccy}-${ccy === 'USDT' ? 'TRC20' : ccy}`,
          canDep: true,
          canWd: true,
          canInternal: true,
          minDep: '0.00000001',
          minWd: '0.0001',
          maxWd: '1000000',
          wdTickSz: '8',
          wdQuota: '10000000',
          usedWdQuota: '0',
          minFee: '0',
          maxFee: '0',
          fee: '0',
          mainNet: true,
          needTag: false,
          minDepArrivalConfirm: '1',
          minWdUnlockConfirm: '1',
          depQuotaFixed: '',
          usedDepQuotaFixed: '',
          depQuoteDailyLayer2: '',
        })),
      );
    }
    case 'GET /api/v5/account/balance':
    case 'GET /api/v5/asset/balances': {
      const only = getParam(q, 'ccy')?.split(',');
      const details = [...engine.balances(key.account).entries()]
        .filter(([ccy]) => !only || only.includes(ccy))
        .map(([ccy, b]) => ({
          ccy,
          availBal: decimal(b.free),
          frozenBal: decimal(b.locked),
          cashBal: decimal(b.free + b.locked),
          eq: decimal(b.free + b.locked),
          availEq: decimal(b.free),
          bal: decimal(b.free + b.locked),
          ordFrozen: decimal(b.locked),
          uTime: String(ctx.clock.now()),
        }));
      if (req.path === '/api/v5/asset/balances') return ok(details);
      return ok([{ uTime: String(ctx.clock.now()), totalEq: '0', details }]);
    }
    case 'POST /api/v5/trade/order':
    case 'POST /api/v5/trade/batch-orders':
      return orderCall(body, route.endsWith('batch-orders'), ORDER_FIELDS, (o) => placeOne(o, key, ctx));
    case 'POST /api/v5/trade/amend-order':
    case 'POST /api/v5/trade/amend-batch-orders':
      return orderCall(body, route.endsWith('batch-orders'), AMEND_FIELDS, (o) => amendOne(o, key, ctx));
    case 'POST /api/v5/trade/order-algo': {
      const o = isRecord(body) ? body : undefined;
      const fields = ALGO_FIELDS[textField(o ?? {}, 'ordType') ?? ''];
      if (!o || !fields) return err('51000', 'Parameter ordType error', 400);
      return orderCall(body, false, fields, (item) => placeAlgo(item, key, ctx));
    }
    case 'POST /api/v5/trade/cancel-order':
    case 'POST /api/v5/trade/cancel-batch-orders':
      return orderCall(body, route.endsWith('batch-orders'), CANCEL_FIELDS, (o) => cancelOne(o, key, ctx));
    case 'POST /api/v5/account/set-leverage': {
      const o = isRecord(body) ? body : {};
      const bad = unknownField(o, LEVERAGE_FIELDS);
      if (bad !== undefined) return err('51000', `Parameter ${bad} error`, 400);
      const lever = positive(o, 'lever');
      if (lever === undefined || lever > 125) return err('51000', 'Parameter lever error', 400);
      return ok([
        {
          lever: decimal(lever),
          mgnMode: textField(o, 'mgnMode') ?? '',
          instId: textField(o, 'instId') ?? '',
          posSide: textField(o, 'posSide') ?? '',
        },
      ]);
    }
    case 'GET /api/v5/trade/orders-pending':
    case 'GET /api/v5/trade/orders-history':
    case 'GET /api/v5/trade/orders-history-archive': {
      const instId = getParam(q, 'instId');
      const symbol = instId === undefined ? undefined : okxSymbol(instId);
      const list =
        req.path === '/api/v5/trade/orders-pending'
          ? engine.openOrders(key.account, symbol)
          : engine.closedOrders(key.account, symbol);
      // Newest first, one page: `limit` (default and maximum 100), `after` = older than that ordId.
      const limit = Math.min(100, Math.max(1, Number(getParam(q, 'limit') ?? 100) || 100));
      const after = getParam(q, 'after');
      const page = list
        .slice()
        .reverse()
        .filter((o) => after === undefined || Number(o.id) < Number(after))
        .slice(0, limit);
      return ok(page.map((o) => orderShape(o, ctx)));
    }
    case 'GET /api/v5/trade/order': {
      const ordId = getParam(q, 'ordId');
      const clOrdId = getParam(q, 'clOrdId');
      const order = findOrder(ctx, key.account, ordId, clOrdId);
      if (!order) return err('51603', 'Order does not exist');
      return ok([orderShape(order, ctx)]);
    }
    case 'GET /api/v5/trade/fills':
    case 'GET /api/v5/trade/fills-history': {
      const instId = getParam(q, 'instId');
      const symbol = instId === undefined ? undefined : okxSymbol(instId);
      const fills = engine.trades(key.account, symbol).map((t) => {
        const order = engine.order(key.account, { id: t.orderId });
        return fillShape(t, order ? shownClient(ctx, order) : '', order ? shownId(ctx, order) : t.orderId);
      });
      return ok(fills.reverse());
    }
    case 'POST /api/v5/asset/withdrawal': {
      const o = items[0] ?? {};
      const bad = unknownField(o, WITHDRAW_FIELDS);
      if (bad !== undefined) return err('51000', `Parameter ${bad} error`, 400);
      const ccy = textField(o, 'ccy');
      const amt = toNumber(textField(o, 'amt'));
      const toAddr = textField(o, 'toAddr');
      if (!ccy || amt === undefined || !toAddr)
        return err('50014', 'Parameter ccy, amt or toAddr can not be empty', 400);
      const chain = textField(o, 'chain');
      const [address, tag] = toAddr.includes(':') ? toAddr.split(':', 2) : [toAddr, undefined];
      const w = engine.withdraw({
        account: key.account,
        coin: ccy,
        amount: amt,
        address: address ?? toAddr,
        ...(chain ? { network: chain } : {}),
        ...(tag ? { tag } : {}),
      });
      if (!w.ok) return err(w.error.code === 'insufficient_balance' ? '58350' : '58000', w.error.message);
      return ok([
        {
          amt: decimal(amt),
          wdId: w.value.id,
          ccy,
          clientId: textField(o, 'clientId') ?? '',
          chain: chain ?? '',
        },
      ]);
    }
    case 'GET /api/v5/asset/withdrawal-history':
      return ok(
        engine.withdrawals(key.account).map((w) => ({
          ccy: w.coin,
          chain: w.network ?? '',
          amt: decimal(w.amount),
          ts: String(w.at),
          to: w.address,
          tag: w.tag ?? '',
          txId: `tx${w.id}`,
          fee: '0',
          state: '2',
          wdId: w.id,
        })),
      );
    default:
      return err('50115', 'Invalid request method or endpoint', 404);
  }
}

function handle(req: SandboxRequest, ctx: SandboxContext): ExchangeResponse {
  const read = readQueryAndBody(req);
  if (!read.ok) {
    return read.part === 'query'
      ? err('50014', read.message, 400)
      : err('50002', 'Json data format error', 400);
  }
  const pub = publicRoute(req, ctx, read.query);
  if (pub) return pub;
  if (!req.path.startsWith('/api/v5/')) return err('50115', 'Invalid request method or endpoint', 404);

  const admitted = admitKey(req, ctx, {
    header: 'ok-access-key',
    missingKey: () => err('50103', 'Request header "OK-ACCESS-KEY" cannot be empty.', 401),
    unknownKey: () => err('50111', 'Invalid OK-ACCESS-KEY', 401),
    verify(key) {
      const failure = okxVerify(req, key.verifySecret, key.credential.password, ctx.clock.now());
      return failure && err(failure.code, failure.msg, 401);
    },
    ipRefused: () =>
      err('50110', `Your IP ${req.sourceIp} is not included in your API key's IP whitelist.`, 401),
    need: needs(req.path, req.method),
    denied: () => err('50120', "API key doesn't have permission to use this function", 401),
  });
  if (!admitted.ok) return admitted.response;
  return privateRoute(req, admitted.key, ctx, read.query, read.body);
}

function issueKey(): IssuedKey {
  const secret = randomBytes(16).toString('hex').toUpperCase();
  return { credential: { apiKey: randomUUID(), secret, password: randomToken(16) }, verifySecret: secret };
}

export const okxEmulator = { ...standardEmulator('okx', issueKey, handle), ws: okxWsEmulator };
