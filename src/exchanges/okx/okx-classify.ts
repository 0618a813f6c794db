/**
 * OKX v5 classification: the endpoint's action, and for every order the intent read by OKX's
 * own rules for its order type from the strictly parsed body (okx-schema.ts). A request that
 * does not fit its endpoint's schema sets `rejected` and is never forwarded.
 */
import type { z } from 'zod';
import type { Action } from '../../core/index.js';
import type { Classification, OrderIntent, WithdrawalIntent } from '../adapter.js';
import { classifyJsonEndpoint, classifyRead, type JsonEndpoint, schemaEndpoint } from '../json-endpoint.js';
import { convertIntent, type OrderFields, orderIntentOf } from '../order-intent.js';
import type { Params } from '../params.js';
import { checkSchema, num } from '../request-schema.js';
import { withdrawalIntent } from '../withdrawal-intent.js';
import {
  type AlgoOrder,
  type AmendOrder,
  type AttachedLeg,
  algoOrder,
  amendOrder,
  cancelAlgo,
  cancelAllAfter,
  cancelOrder,
  cancelWithdrawal,
  closePosition,
  convertQuote,
  convertTrade,
  lightningWithdrawal,
  manualBorrowRepay,
  massCancel,
  type PlaceOrder,
  placeOrder,
  READ_PARAMS,
  setAccountLevel,
  setAutoLoan,
  setLeverage,
  setPositionMode,
  subaccountTransfer,
  transfer,
  withdrawal,
} from './okx-schema.js';
import { okxMarket, okxSymbol } from './okx-symbols.js';

/** OKX's batch endpoints take at most 20 items. */
const MAX_BATCH = 20;

type Step<T> = { ok: true; value: T } | { ok: false; message: string };
const refuse = (message: string): { ok: false; message: string } => ({ ok: false, message });

/** What one parsed order contributes: its intent and whether it trades on margin. */
interface Read {
  intent: OrderIntent;
  margin: boolean;
}

const READS = new Set([
  '/api/v5/account/balance',
  '/api/v5/asset/balances',
  '/api/v5/account/positions',
  '/api/v5/trade/orders-pending',
  '/api/v5/trade/order',
  '/api/v5/trade/order-algo',
  '/api/v5/trade/orders-history',
  '/api/v5/trade/orders-history-archive',
  '/api/v5/trade/fills',
  '/api/v5/trade/fills-history',
  '/api/v5/trade/orders-algo-pending',
  '/api/v5/trade/orders-algo-history',
  '/api/v5/trade/account-rate-limit',
  '/api/v5/account/config',
  '/api/v5/account/leverage-info',
  '/api/v5/account/trade-fee',
  '/api/v5/account/max-withdrawal',
  '/api/v5/account/bills',
  '/api/v5/asset/currencies',
  '/api/v5/asset/withdrawal-history',
  '/api/v5/asset/deposit-history',
  '/api/v5/asset/deposit-address',
]);

/**
 * `fields` with the instrument's symbol, market and unit set (assigned, not spread: this runs
 * for every order on the request path).
 */
function onInstrument(instId: string, fields: OrderFields): OrderFields {
  const market = okxMarket(instId);
  fields.rawSymbol = instId;
  fields.symbol = okxSymbol(instId);
  fields.market = market;
  fields.contracts ??= market !== 'spot';
  return fields;
}

/** Every price of an attached TP/SL leg (`-1` order prices execute at the market: no price). */
function legPrices(leg: AttachedLeg | undefined, prefix: string): Array<[string, number | undefined]> {
  if (!leg) return [];
  const out: Array<[string, number | undefined]> = [];
  const add = (field: keyof AttachedLeg, value: string | undefined) => {
    if (value !== undefined && value !== '-1') out.push([`${prefix}${field}`, num(value)]);
  };
  add('tpTriggerPx', leg.tpTriggerPx);
  add('tpOrdPx', leg.tpOrdPx);
  add('slTriggerPx', leg.slTriggerPx);
  add('slOrdPx', leg.slOrdPx);
  return out;
}

function legProblem(leg: AttachedLeg | undefined, at: string): string | undefined {
  if (!leg) return undefined;
  if (leg.tpTriggerPx === undefined && leg.slTriggerPx === undefined)
    return `${at}: a leg needs tpTriggerPx or slTriggerPx`;
  if ((leg.tpOrdPx === undefined) !== (leg.tpTriggerPx === undefined))
    return `${at}: tpTriggerPx and tpOrdPx go together`;
  if ((leg.slOrdPx === undefined) !== (leg.slTriggerPx === undefined))
    return `${at}: slTriggerPx and slOrdPx go together`;
  if (leg.tpOrdKind === 'limit' && leg.tpOrdPx === '-1') return `${at}: a limit take-profit needs a tpOrdPx`;
  return undefined;
}

/**
 * Fields the instrument kind and trade mode do not use: OKX would ignore them or read them
 * differently, so keywarden refuses them rather than guess.
 */
function modeProblem(
  o: {
    instId: string;
    tdMode: string;
    ccy?: unknown;
    posSide?: unknown;
    reduceOnly?: unknown;
    tgtCcy?: unknown;
  },
  at: string,
): string | undefined {
  const market = okxMarket(o.instId);
  if (market === 'option') return `${at}: OKX option orders are not supported through keywarden`;
  if (market !== 'spot') {
    if (o.tdMode !== 'cross' && o.tdMode !== 'isolated')
      return `${at}: field "tdMode" must be cross or isolated on a derivative`;
    if (o.tgtCcy !== undefined) return `${at}: field "tgtCcy" is not accepted on a derivative`;
    if (o.ccy !== undefined) return `${at}: field "ccy" is not accepted on a derivative`;
    return undefined;
  }
  if (o.posSide !== undefined) return `${at}: field "posSide" is not accepted on a spot order`;
  if (o.tdMode === 'cash') {
    if (o.ccy !== undefined) return `${at}: field "ccy" is only for margin orders`;
    if (o.reduceOnly !== undefined) return `${at}: field "reduceOnly" is only for margin orders`;
  } else if (o.tgtCcy !== undefined) return `${at}: field "tgtCcy" is not accepted on a margin order`;
  return undefined;
}

const isMargin = (o: { instId: string; tdMode: string }) =>
  okxMarket(o.instId) === 'spot' && o.tdMode !== 'cash';

function readPlace(o: PlaceOrder, at: string): Step<Read> {
  const problem = modeProblem(o, at) ?? legProblem(o.attachAlgoOrds?.[0], `${at}: attachAlgoOrds[0]`);
  if (problem) return refuse(problem);
  const spot = okxMarket(o.instId) === 'spot';
  const market = o.ordType === 'market' || o.ordType === 'optimal_limit_ioc';
  if (o.ordType === 'optimal_limit_ioc' && spot)
    return refuse(`${at}: ordType optimal_limit_ioc is only for derivatives`);
  // tgtCcy sets the unit of a spot market order only; on a limit order only the default is accepted.
  if (!market && o.tgtCcy === 'quote_ccy')
    return refuse(`${at}: field "tgtCcy" quote_ccy is only for market orders`);
  const cash = spot && o.tdMode === 'cash';
  // OKX's default unit of a spot market order: quote for buys, base for sells.
  const inQuote =
    cash && market && (o.tgtCcy ?? (o.side === 'buy' ? 'quote_ccy' : 'base_ccy')) === 'quote_ccy';
  const intent = orderIntentOf(
    onInstrument(o.instId, {
      side: o.side,
      type: o.ordType,
      pricing: market ? 'market' : 'limit',
      price: 'px' in o ? num(o.px) : undefined,
      priceField: 'px',
      size: num(o.sz),
      sizeInQuote: inQuote,
      otherPrices: legPrices(o.attachAlgoOrds?.[0], 'attachAlgoOrds[0].'),
    }),
  );
  return { ok: true, value: { intent, margin: isMargin(o) } };
}

function readAlgo(o: AlgoOrder, at: string): Step<Read> {
  const problem = modeProblem(o, at);
  if (problem) return refuse(problem);
  const others: Array<[string, number | undefined]> = [];
  let pricing: 'limit' | 'market' = 'limit';
  let price: number | undefined;
  let unevaluable: string | undefined;
  let priceField = 'orderPx';
  if (o.ordType === 'trigger') {
    const legProblemText = legProblem(o.attachAlgoOrds?.[0], `${at}: attachAlgoOrds[0]`);
    if (legProblemText) return refuse(legProblemText);
    others.push(['triggerPx', num(o.triggerPx)], ...legPrices(o.attachAlgoOrds?.[0], 'attachAlgoOrds[0].'));
    if (o.orderPx === '-1') pricing = 'market';
    else price = num(o.orderPx);
  } else if (o.ordType === 'move_order_stop') {
    if ((o.callbackRatio === undefined) === (o.callbackSpread === undefined))
      return refuse(`${at}: exactly one of callbackRatio and callbackSpread`);
    if (o.activePx !== undefined) others.push(['activePx', num(o.activePx)]);
    pricing = 'market';
    unevaluable = 'a trailing stop executes relative to a future market price';
  } else {
    const leg = {
      tpTriggerPx: o.tpTriggerPx,
      tpOrdPx: o.tpOrdPx,
      tpOrdKind: o.tpOrdKind,
      slTriggerPx: o.slTriggerPx,
      slOrdPx: o.slOrdPx,
    };
    const legText = legProblem(leg, at);
    if (legText) return refuse(legText);
    if (o.ordType === 'oco' && (o.tpTriggerPx === undefined || o.slTriggerPx === undefined))
      return refuse(`${at}: an oco order needs both take-profit and stop-loss legs`);
    const legs: Array<[string, string | undefined]> = [
      ['tpOrdPx', o.tpOrdPx],
      ['slOrdPx', o.slOrdPx],
    ];
    // Either leg may execute: at the market when one of them is `-1`, else at the costlier limit.
    if (legs.some(([, p]) => p === '-1')) pricing = 'market';
    else {
      const [field, value] = legs.reduce((a, b) => (Number(b[1] ?? 0) > Number(a[1] ?? 0) ? b : a));
      price = num(value);
      priceField = field;
    }
    others.push(...legPrices(leg, '').filter(([field]) => field !== priceField));
  }
  const spot = okxMarket(o.instId) === 'spot';
  const cash = spot && o.tdMode === 'cash';
  if (cash && o.tgtCcy === 'quote_ccy' && pricing !== 'market')
    return refuse(`${at}: field "tgtCcy" quote_ccy is only for market execution`);
  // OKX defaults a spot algo market buy to quote units: say which unit, so no default is guessed.
  if (cash && pricing === 'market' && o.side === 'buy' && o.tgtCcy === undefined)
    return refuse(`${at}: field "tgtCcy" is required on a spot algo buy that executes at the market`);
  const intent = orderIntentOf(
    onInstrument(o.instId, {
      side: o.side,
      type: o.ordType,
      pricing,
      price,
      priceField,
      size: num(o.sz),
      sizeInQuote: cash && pricing === 'market' && o.tgtCcy === 'quote_ccy',
      otherPrices: others,
      unevaluable,
    }),
  );
  return { ok: true, value: { intent, margin: isMargin(o) } };
}

function readAmend(o: AmendOrder, at: string): Step<Read> {
  if ((o.ordId === undefined) === (o.clOrdId === undefined))
    return refuse(`${at}: exactly one of ordId and clOrdId names the order to amend`);
  if (okxMarket(o.instId) === 'option')
    return refuse(`${at}: OKX option orders are not supported through keywarden`);
  const changes = [o.newSz, o.newPx, o.newTpTriggerPx, o.newTpOrdPx, o.newSlTriggerPx, o.newSlOrdPx];
  if (changes.every((c) => c === undefined)) return refuse(`${at}: the amend changes nothing`);
  if ((o.newTpOrdPx === undefined) !== (o.newTpTriggerPx === undefined))
    return refuse(`${at}: newTpTriggerPx and newTpOrdPx go together`);
  if ((o.newSlOrdPx === undefined) !== (o.newSlTriggerPx === undefined))
    return refuse(`${at}: newSlTriggerPx and newSlOrdPx go together`);
  const others: Array<[string, number | undefined]> = [];
  const add = (field: string, value: string | undefined) => {
    if (value !== undefined && value !== '-1') others.push([field, num(value)]);
  };
  add('newTpTriggerPx', o.newTpTriggerPx);
  add('newTpOrdPx', o.newTpOrdPx);
  add('newSlTriggerPx', o.newSlTriggerPx);
  add('newSlOrdPx', o.newSlOrdPx);
  const intent = orderIntentOf(
    onInstrument(o.instId, {
      pricing: 'limit',
      price: num(o.newPx),
      priceField: 'newPx',
      size: num(o.newSz),
      sizeInQuote: false,
      otherPrices: others,
      amend: true,
    }),
  );
  intent.orderRef = o.ordId !== undefined ? { orderId: o.ordId } : { clientOrderId: o.clOrdId as string };
  return { ok: true, value: { intent, margin: false } };
}

/** Validate one item; messages name the item (`[3] ...`) in a batch. */
function each<T>(
  schema: z.ZodType<T>,
  items: unknown[],
  batch: boolean,
  read: (value: T, at: string) => Step<Read>,
): Step<Read[]> {
  const out: Read[] = [];
  for (let i = 0; i < items.length; i++) {
    const at = batch ? `order [${i}]` : 'order';
    const checked = checkSchema(schema, items[i], at);
    if (!checked.ok) return checked;
    const r = read(checked.value, at);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return { ok: true, value: out };
}

function itemsOf(body: unknown, batch: boolean): Step<unknown[]> {
  if (batch) {
    if (!Array.isArray(body)) return refuse('a batch endpoint takes a JSON array of orders');
    if (body.length === 0) return refuse('an empty batch');
    if (body.length > MAX_BATCH) return refuse(`at most ${MAX_BATCH} orders per batch`);
    return { ok: true, value: body };
  }
  if (Array.isArray(body)) return refuse('a single-order endpoint takes one JSON object, not an array');
  return { ok: true, value: [body] };
}

function orders<T>(
  schema: z.ZodType<T>,
  batch: boolean,
  read: (value: T, at: string) => Step<Read>,
  action: Action,
): JsonEndpoint {
  return {
    action,
    check(body, c) {
      const items = itemsOf(body, batch);
      if (!items.ok) return items.message;
      const read_ = each(schema, items.value, batch, read);
      if (!read_.ok) return read_.message;
      for (const r of read_.value) c.orders.push(r.intent);
      if (read_.value.some((r) => r.margin)) c.action = 'margin';
      return undefined;
    },
  };
}

/** Cancels carry the instrument for the audit record; the policy does not price them. */
function cancels<T extends { instId: string }>(
  schema: z.ZodType<T>,
  batch: boolean,
  idFields: [string, string],
) {
  return orders(
    schema,
    batch,
    (o, at) => {
      const r = o as unknown as Record<string, unknown>;
      if ((r[idFields[0]] === undefined) === (r[idFields[1]] === undefined))
        return refuse(`${at}: exactly one of ${idFields[0]} and ${idFields[1]}`);
      const intent = orderIntentOf(onInstrument(o.instId, { sizeInQuote: false, contracts: false }));
      return { ok: true, value: { intent, margin: false } };
    },
    'cancel',
  );
}

function okxWithdrawal(
  coin: string,
  amount: string | undefined,
  address: string,
  chain?: string,
): WithdrawalIntent {
  return withdrawalIntent({
    coin,
    amount: num(amount),
    address,
    // OKX chains are `<CCY>-<network>`, e.g. `USDT-TRC20`.
    network: chain?.startsWith(`${coin}-`) ? chain.slice(coin.length + 1) : chain,
  });
}

const ENDPOINTS: Record<string, JsonEndpoint> = {
  'POST /api/v5/trade/order': orders(placeOrder, false, readPlace, 'trade'),
  'POST /api/v5/trade/batch-orders': orders(placeOrder, true, readPlace, 'trade'),
  'POST /api/v5/trade/order-algo': orders(algoOrder, false, readAlgo, 'trade'),
  'POST /api/v5/trade/amend-order': orders(amendOrder, false, readAmend, 'trade'),
  'POST /api/v5/trade/amend-batch-orders': orders(amendOrder, true, readAmend, 'trade'),
  // The resting algo order would have to be read from another endpoint: refused, cancel and place again.
  'POST /api/v5/trade/amend-algos': {
    action: 'trade',
    check: () => 'amending algo orders is not supported through keywarden: cancel it and place a new one',
  },
  'POST /api/v5/trade/close-position': schemaEndpoint('trade', closePosition, (o, c) => {
    if (okxMarket(o.instId) === 'option') return 'OKX option positions are not supported through keywarden';
    if (okxMarket(o.instId) === 'spot') c.action = 'margin';
    c.orders.push(
      orderIntentOf(
        onInstrument(o.instId, {
          type: 'market',
          sizeInQuote: false,
          unevaluable: 'close-position closes the whole position at the market (size not in the request)',
        }),
      ),
    );
    return undefined;
  }),
  'POST /api/v5/trade/cancel-order': cancels(cancelOrder, false, ['ordId', 'clOrdId']),
  'POST /api/v5/trade/cancel-batch-orders': cancels(cancelOrder, true, ['ordId', 'clOrdId']),
  'POST /api/v5/trade/cancel-algos': cancels(cancelAlgo, true, ['algoId', 'algoClOrdId']),
  'POST /api/v5/trade/mass-cancel': schemaEndpoint('cancel', massCancel),
  'POST /api/v5/trade/cancel-all-after': schemaEndpoint('cancel', cancelAllAfter),
  'POST /api/v5/asset/withdrawal': schemaEndpoint('withdraw', withdrawal, (o, c) => {
    c.withdrawal = okxWithdrawal(o.ccy, o.amt, o.toAddr, o.chain);
    return undefined;
  }),
  'POST /api/v5/asset/withdrawal-lightning': schemaEndpoint('withdraw', lightningWithdrawal, (o, c) => {
    c.withdrawal = okxWithdrawal(o.ccy, undefined, o.invoice);
    return undefined;
  }),
  // Needs the withdraw permission on OKX, so it is gated with withdrawals.
  'POST /api/v5/asset/cancel-withdrawal': schemaEndpoint('withdraw', cancelWithdrawal),
  'POST /api/v5/asset/transfer': schemaEndpoint('transfer', transfer, (o, c) => {
    c.withdrawal = withdrawalIntent({ coin: o.ccy, amount: num(o.amt) });
    return undefined;
  }),
  'POST /api/v5/asset/subaccount/transfer': schemaEndpoint('transfer', subaccountTransfer, (o, c) => {
    c.withdrawal = withdrawalIntent({ coin: o.ccy, amount: num(o.amt) });
    return undefined;
  }),
  'POST /api/v5/account/set-leverage': schemaEndpoint('margin', setLeverage, (o, c) => {
    if (o.instId === undefined && o.ccy === undefined) return 'set-leverage needs instId or ccy';
    c.leverage = num(o.lever);
    // The instrument it applies to, for the market and symbol rules (no size: nothing is ordered).
    if (o.instId !== undefined)
      c.orders.push(orderIntentOf(onInstrument(o.instId, { sizeInQuote: false, leverage: c.leverage })));
    return undefined;
  }),
  'POST /api/v5/account/spot-manual-borrow-repay': schemaEndpoint('margin', manualBorrowRepay),
  'POST /api/v5/account/set-auto-loan': schemaEndpoint('margin', setAutoLoan),
  'POST /api/v5/account/set-position-mode': schemaEndpoint('account-admin', setPositionMode),
  'POST /api/v5/account/set-account-level': schemaEndpoint('account-admin', setAccountLevel),
  // A quote request moves nothing; the conversion itself is convert/trade.
  'POST /api/v5/asset/convert/estimate-quote': schemaEndpoint('read', convertQuote),
  'POST /api/v5/asset/convert/trade': schemaEndpoint('convert', convertTrade, (o, c) => {
    const from = o.side === 'buy' ? o.quoteCcy : o.baseCcy;
    const to = o.side === 'buy' ? o.baseCcy : o.quoteCcy;
    if (o.szCcy !== o.baseCcy && o.szCcy !== o.quoteCcy) return 'field "szCcy" must be baseCcy or quoteCcy';
    const intent = convertIntent(from, to, undefined);
    const base = intent.symbol?.split('/')[0];
    if (o.szCcy === base) intent.quantity = num(o.sz);
    else intent.quoteQuantity = num(o.sz);
    c.orders.push(intent);
    return undefined;
  }),
};

function publicOrUnknown(method: string, path: string): Action {
  if (path.startsWith('/api/v5/market/') || path.startsWith('/api/v5/public/')) return 'public';
  if (method === 'GET' && (path === '/api/v5/system/status' || path === '/api/v5/asset/exchange-list'))
    return 'public';
  // Sub-account creation, API-key management: never what a trading bot needs.
  if (path.startsWith('/api/v5/users/') || path.startsWith('/api/v5/broker/')) return 'account-admin';
  return 'unknown';
}

/**
 * Classify a parsed OKX request. `query` are its parsed query parameters and `body` its parsed
 * JSON body (undefined when empty).
 */
export function okxClassify(method: string, path: string, query: Params, body: unknown): Classification {
  const endpoint = `${method} ${path}`;
  const known = ENDPOINTS[endpoint];
  if (known) {
    return classifyJsonEndpoint(endpoint, known, query, body);
  }
  if (method === 'GET' && READS.has(path)) return classifyRead(endpoint, query, READ_PARAMS);
  return { action: publicOrUnknown(method, path), endpoint, orders: [] };
}
