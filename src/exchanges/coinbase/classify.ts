/**
 * Coinbase classification: each endpoint that places, changes or cancels orders, converts or
 * moves funds is read through its strict schema (./schemas.ts); anything else in the request is
 * a refusal (`rejected`). The intent follows Coinbase's execution rules for the one
 * `order_configuration` the order carries.
 */
import type {
  Classification,
  ExchangeRequest,
  OrderIntent,
  RestingOrder,
  WithdrawalIntent,
} from '../adapter.js';
import { convertIntent, orderIntentOf, QUOTE_LIKE } from '../order-intent.js';
import { checkSchema, num } from '../request-schema.js';
import { isRecord, parseStrictJson } from '../strict-json.js';
import {
  batchCancelSchema,
  convertCommitSchema,
  convertQuoteSchema,
  createOrderSchema,
  editOrderSchema,
  fiatSchema,
  moveFundsSchema,
  ORDER_CONFIGS,
  previewOrderSchema,
  sendSchema,
} from './schemas.js';

export const V3 = '/api/v3/brokerage';

export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * The parsed body of a request: `parse` reads it once and classification reuses it (the
 * gateway passes the same request object on), so the body is not parsed twice.
 */
const parsedBodies = new WeakMap<ExchangeRequest, JsonBodyResult>();

export function parseJsonBody(body: string): JsonBodyResult {
  if (body.trim() === '') return { ok: true, value: undefined };
  return parseStrictJson(body);
}

export function bodyOf(request: ExchangeRequest): JsonBodyResult {
  let parsed = parsedBodies.get(request);
  if (!parsed) {
    parsed = parseJsonBody(request.body);
    parsedBodies.set(request, parsed);
  }
  return parsed;
}

/** The parsed body, or undefined when it is not JSON (then every schema refuses it). */
function bodyValue(request: ExchangeRequest): unknown {
  const parsed = bodyOf(request);
  return parsed.ok ? parsed.value : undefined;
}

/** Coinbase ids are UUIDs or opaque tokens; name the endpoint with `{id}` in their place. */
function endpointName(method: string, path: string): string {
  const parts = path.split('/').map((seg, idx, all) => {
    const prev = all[idx - 1];
    if (
      prev === 'accounts' ||
      prev === 'portfolios' ||
      prev === 'payment_methods' ||
      prev === 'payment-methods' ||
      prev === 'withdrawals' ||
      prev === 'deposits' ||
      prev === 'transactions' ||
      prev === 'addresses' ||
      prev === 'currencies' ||
      prev === 'prices' ||
      (prev === 'trade' && all[idx - 2] === 'convert') ||
      (prev === 'historical' && seg !== 'batch' && seg !== 'fills') ||
      (prev === 'products' && seg !== '') ||
      (prev === 'positions' && seg !== '')
    ) {
      if (prev === 'portfolios' && seg === 'move_funds') return seg;
      if (prev === 'currencies' && seg === 'crypto') return seg;
      return '{id}';
    }
    return seg;
  });
  return `${method} ${parts.join('/')}`;
}

/**
 * A spot product id (`BTC-USD`) as `BTC/USD`. Futures (`BIT-31JAN25-CDE`) and perpetuals
 * (`BTC-PERP-INTX`) have more parts and are not spot: undefined.
 */
export function toSymbol(productId: unknown): string | undefined {
  if (typeof productId !== 'string') return undefined;
  const m = /^([A-Za-z0-9]{1,16})-([A-Za-z]{2,8})$/.exec(productId);
  if (!m || m[2]?.toUpperCase() === 'PERP') return undefined;
  return `${m[1]?.toUpperCase()}/${m[2]?.toUpperCase()}`;
}

export function toProductId(symbol: string): string {
  return symbol.replace('/', '-').toUpperCase();
}

type Done = (action: Classification['action'], extra?: Partial<Classification>) => Classification;

/** Read one order's single configuration into an intent; a string is the refusal reason. */
function configIntent(
  config: Record<string, unknown>,
  side: 'buy' | 'sell',
  symbol: string,
  rawSymbol: string,
): OrderIntent | string {
  const keys = Object.keys(config);
  if (keys.length !== 1) return 'order_configuration must hold exactly one configuration';
  const key = keys[0] as string;
  const spec = Object.hasOwn(ORDER_CONFIGS, key) ? ORDER_CONFIGS[key] : undefined;
  if (!spec) return `order_configuration "${key.slice(0, 40)}" is not accepted here`;
  const checked = checkSchema(spec.schema, config[key], `order_configuration.${key}`);
  if (!checked.ok) return checked.message;
  const d = checked.value;
  const base = typeof d.base_size === 'string' ? d.base_size : undefined;
  const quote = typeof d.quote_size === 'string' ? d.quote_size : undefined;
  if (spec.quoteSize && (base === undefined) === (quote === undefined))
    return `order_configuration.${key}: exactly one of base_size and quote_size`;
  // "To buy, provide a quote_size or base_size; to sell, provide a base_size" (Coinbase's order guide).
  if (quote !== undefined && side === 'sell')
    return `order_configuration.${key}: a sell is sized by base_size`;
  const price = spec.priceField === undefined ? undefined : d[spec.priceField];
  const intent = orderIntentOf({
    symbol,
    rawSymbol,
    market: 'spot',
    side,
    type: spec.type,
    pricing: spec.pricing,
    price: typeof price === 'string' ? Number(price) : undefined,
    priceField: spec.priceField,
    size: num(quote ?? base),
    sizeInQuote: quote !== undefined,
    otherPrices: spec.otherPrices.map((f) => [f, typeof d[f] === 'string' ? Number(d[f]) : undefined]),
  });
  return intent;
}

function orderIntentFrom(request: ExchangeRequest, preview: boolean, done: Done): Classification {
  const parsed = checkSchema(preview ? previewOrderSchema : createOrderSchema, bodyValue(request), 'order');
  if (!parsed.ok) return done('trade', { rejected: parsed.message });
  const b = parsed.value;
  const symbol = toSymbol(b.product_id);
  if (!symbol) return done('trade', { rejected: `product_id "${b.product_id}" is not a spot product` });
  const side = b.side === 'BUY' ? 'buy' : 'sell';
  const intent = configIntent(b.order_configuration, side, symbol, b.product_id);
  if (typeof intent === 'string') return done('trade', { rejected: intent });
  const bracket = b.attached_order_configuration?.trigger_bracket_gtc;
  if (bracket) {
    intent.prices?.push(
      { field: 'attached.limit_price', value: Number(bracket.limit_price) },
      { field: 'attached.stop_trigger_price', value: Number(bracket.stop_trigger_price) },
    );
  }
  if (b.leverage !== undefined || b.margin_type !== undefined) {
    const leverage = num(b.leverage);
    if (leverage !== undefined) intent.leverage = leverage;
    return done('margin', { orders: [intent], ...(leverage !== undefined ? { leverage } : {}) });
  }
  return done('trade', { orders: [intent] });
}

function editIntent(request: ExchangeRequest, done: Done): Classification {
  const parsed = checkSchema(editOrderSchema, bodyValue(request), 'edit');
  if (!parsed.ok) return done('trade', { rejected: parsed.message });
  const b = parsed.value;
  if (b.price === undefined && b.size === undefined)
    return done('trade', { rejected: 'edit: a new price or size is required' });
  if (b.stop_price !== undefined && b.price === undefined)
    return done('trade', { rejected: 'edit: a new stop_price needs its limit price too' });
  // Only GTC limit orders can be edited: the symbol, side and the rest come from the resting order.
  const intent = orderIntentOf({
    type: 'limit',
    pricing: 'limit',
    price: num(b.price),
    priceField: 'price',
    size: num(b.size),
    sizeInQuote: false,
    otherPrices: [['stop_price', num(b.stop_price)]],
    amend: true,
  });
  intent.orderRef = { orderId: b.order_id };
  // An edit naming no price keeps the resting order's: left without a price list, the price the
  // gateway reads back from that order is the one the band checks (policy's pricesOf fallback).
  if (b.price === undefined) delete intent.prices;
  return done('trade', { orders: [intent] });
}

/**
 * A conversion is judged as the market that quotes it (convertIntent). That market is clear
 * when one side is a fiat currency or stablecoin (USD -> BTC is a BTC/USD buy); crypto to
 * crypto could be read as either market, so it is refused.
 */
function convertPairProblem(from: string, to: string): string | undefined {
  const f = from.toUpperCase();
  const t = to.toUpperCase();
  if (f === t) return 'convert: from_account and to_account are the same';
  if (!QUOTE_LIKE.has(f) && !QUOTE_LIKE.has(t))
    return `convert: ${f} to ${t} names no single market (one side must be a fiat currency or stablecoin)`;
  return undefined;
}

function convertQuote(request: ExchangeRequest, done: Done): Classification {
  const parsed = checkSchema(convertQuoteSchema, bodyValue(request), 'convert quote');
  if (!parsed.ok) return done('convert', { rejected: parsed.message });
  const { from_account: from, to_account: to, amount } = parsed.value;
  const unclear = convertPairProblem(from, to);
  if (unclear) return done('convert', { rejected: unclear });
  return done('convert', { orders: [convertIntent(from, to, Number(amount))] });
}

/**
 * Committing a quote is what converts. Its amount was fixed by the quote and is not in the
 * request: the intent names the pair and the quote (`orderRef`), and the gateway reads the
 * quote back through `restingOrderRequest`; without it there is no size, so any cap denies.
 */
function convertCommit(request: ExchangeRequest, tradeId: string, done: Done): Classification {
  const parsed = checkSchema(convertCommitSchema, bodyValue(request), 'convert commit');
  if (!parsed.ok) return done('convert', { rejected: parsed.message });
  const { from_account: from, to_account: to } = parsed.value;
  const unclear = convertPairProblem(from, to);
  if (unclear) return done('convert', { rejected: unclear });
  if (!/^[A-Za-z0-9-]{1,64}$/.test(tradeId))
    return done('convert', { rejected: 'convert: malformed trade id' });
  const intent = convertIntent(from, to, undefined);
  intent.amend = true;
  intent.orderRef = { orderId: tradeId };
  return done('convert', { orders: [intent] });
}

function withdrawalFromSend(body: {
  currency: string;
  amount: string;
  to: string;
  network?: string | undefined;
  destination_tag?: string | undefined;
}): WithdrawalIntent {
  const w: WithdrawalIntent = {
    coin: body.currency.toUpperCase(),
    amount: Number(body.amount),
    address: body.to,
  };
  if (body.network !== undefined) w.network = body.network;
  if (body.destination_tag !== undefined) w.tag = body.destination_tag;
  return w;
}

const ID = '[^/]+';
const reV2Transactions = new RegExp(`^/v2/accounts/${ID}/transactions$`);
const reV2Withdrawals = new RegExp(`^/v2/accounts/${ID}/withdrawals$`);
const reV2WithdrawalCommit = new RegExp(`^/v2/accounts/${ID}/withdrawals/${ID}/commit$`);
const reV2Deposits = new RegExp(`^/v2/accounts/${ID}/deposits$`);
const reV2DepositCommit = new RegExp(`^/v2/accounts/${ID}/deposits/${ID}/commit$`);
const reConvertTrade = /^\/convert\/trade\/([^/]+)$/;

function v3Write(method: string, rest: string, request: ExchangeRequest, done: Done): Classification {
  if (method === 'POST') {
    if (rest === '/orders') return orderIntentFrom(request, false, done);
    if (rest === '/orders/preview') return orderIntentFrom(request, true, done);
    if (rest === '/orders/edit' || rest === '/orders/edit_preview') return editIntent(request, done);
    if (rest === '/orders/batch_cancel') {
      const parsed = checkSchema(batchCancelSchema, bodyValue(request), 'batch_cancel');
      return done('cancel', parsed.ok ? {} : { rejected: parsed.message });
    }
    // Closing a futures position: derivatives are not supported for Coinbase.
    if (rest === '/orders/close_position')
      return done('trade', { rejected: 'close_position: Coinbase futures are not supported' });
    if (rest === '/convert/quote') return convertQuote(request, done);
    const commit = reConvertTrade.exec(rest);
    if (commit) return convertCommit(request, commit[1] ?? '', done);
    if (rest === '/portfolios/move_funds') {
      const parsed = checkSchema(moveFundsSchema, bodyValue(request), 'move_funds');
      if (!parsed.ok) return done('transfer', { rejected: parsed.message });
      const b = parsed.value;
      return done('transfer', {
        withdrawal: {
          coin: b.funds.currency.toUpperCase(),
          amount: Number(b.funds.value),
          address: b.target_portfolio_uuid,
        },
      });
    }
  }
  // Portfolio create/edit/delete, INTX allocation and futures sweeps move or re-home funds.
  if (rest === '/portfolios' || /^\/portfolios\/[^/]+$/.test(rest)) return done('transfer');
  if (rest.startsWith('/intx/allocate') || rest.startsWith('/cfm/sweeps')) return done('transfer');
  // Margin settings and multi-asset collateral change how positions are margined.
  if (rest.startsWith('/cfm/intraday/margin_setting') || rest.startsWith('/intx/multi_asset_collateral'))
    return done('margin');
  if (rest.startsWith('/intx/')) return done('transfer');
  return done('unknown');
}

function v2Write(method: string, path: string, request: ExchangeRequest, done: Done): Classification {
  if (method !== 'POST') return done('unknown');
  if (reV2Transactions.test(path)) {
    const parsed = checkSchema(sendSchema, bodyValue(request), 'transaction');
    if (!parsed.ok) return done('withdraw', { rejected: parsed.message });
    // `send` leaves Coinbase; `transfer` moves between the user's own accounts.
    return done(parsed.value.type === 'transfer' ? 'transfer' : 'withdraw', {
      withdrawal: withdrawalFromSend(parsed.value),
    });
  }
  if (reV2Withdrawals.test(path)) {
    const parsed = checkSchema(fiatSchema, bodyValue(request), 'withdrawal');
    if (!parsed.ok) return done('withdraw', { rejected: parsed.message });
    const b = parsed.value;
    return done('withdraw', {
      withdrawal: { coin: b.currency.toUpperCase(), amount: Number(b.amount), address: b.payment_method },
    });
  }
  if (reV2WithdrawalCommit.test(path)) {
    return done(
      'withdraw',
      request.body.trim() === '' ? {} : { rejected: 'withdrawal commit takes no body' },
    );
  }
  if (reV2DepositCommit.test(path))
    return done('transfer', request.body.trim() === '' ? {} : { rejected: 'deposit commit takes no body' });
  if (reV2Deposits.test(path)) {
    const parsed = checkSchema(fiatSchema, bodyValue(request), 'deposit');
    return done('transfer', parsed.ok ? {} : { rejected: parsed.message });
  }
  if (/^\/v2\/accounts\/[^/]+\/addresses$/.test(path)) return done('account-admin');
  return done('unknown');
}

export function classifyCoinbase(request: ExchangeRequest): Classification {
  const method = request.method.toUpperCase();
  const path = request.path.replace(/\/+$/, '') || '/';
  const endpoint = endpointName(method, path);
  const done: Done = (action, extra = {}) => ({ action, endpoint, orders: [], ...extra });

  if (method === 'GET') {
    if (path.startsWith(`${V3}/`)) {
      const rest = path.slice(V3.length);
      if (rest.startsWith('/market/') || rest === '/time') return done('public');
      // Everything else readable on v3 needs the `view` scope.
      return done('read');
    }
    if (path.startsWith('/v2/')) {
      if (
        path === '/v2/currencies' ||
        path.startsWith('/v2/currencies/') ||
        path === '/v2/exchange-rates' ||
        path.startsWith('/v2/prices/') ||
        path === '/v2/time'
      ) {
        return done('public');
      }
      return done('read');
    }
    return done('unknown');
  }
  let c: Classification;
  if (path.startsWith(`${V3}/`)) c = v3Write(method, path.slice(V3.length), request, done);
  else if (path.startsWith('/v2/')) c = v2Write(method, path, request, done);
  else c = done('unknown');
  // Coinbase reads a write's parameters from its JSON body: a query string beside it is unread.
  if (request.query !== '' && c.rejected === undefined && c.action !== 'unknown')
    c.rejected = 'a query string is not accepted on this endpoint (parameters go in the JSON body)';
  return c;
}

/** GET the order an edit names (or the convert trade a commit names), signed like any read. */
export function restingOrderRequest(
  order: OrderIntent,
  request: ExchangeRequest,
): ExchangeRequest | undefined {
  const id = order.orderRef?.orderId;
  if (id === undefined || id === '') return undefined;
  const commit = reConvertTrade.exec(request.path.slice(V3.length));
  if (commit) {
    const b = bodyValue(request);
    if (!isRecord(b) || typeof b.from_account !== 'string' || typeof b.to_account !== 'string')
      return undefined;
    const query = new URLSearchParams({ from_account: b.from_account, to_account: b.to_account }).toString();
    return {
      method: 'GET',
      path: `${V3}/convert/trade/${encodeURIComponent(id)}`,
      query,
      headers: {},
      body: '',
    };
  }
  return {
    method: 'GET',
    path: `${V3}/orders/historical/${encodeURIComponent(id)}`,
    query: '',
    headers: {},
    body: '',
  };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A resting order from `GET /orders/historical/{id}`, or a convert quote from `GET /convert/trade/{id}`. */
export function parseRestingOrder(response: { status: number; body: string }): RestingOrder | undefined {
  if (response.status !== 200) return undefined;
  const parsed = parseJsonBody(response.body);
  if (!parsed.ok || !isRecord(parsed.value)) return undefined;
  const { order, trade } = parsed.value;
  if (isRecord(order)) {
    const symbol = toSymbol(order.product_id);
    if (!symbol || (order.side !== 'BUY' && order.side !== 'SELL') || order.status !== 'OPEN')
      return undefined;
    const config = isRecord(order.order_configuration)
      ? Object.values(order.order_configuration)[0]
      : undefined;
    const detail = isRecord(config) ? config : {};
    const size = Number(str(detail.base_size));
    const filled = Number(str(order.filled_size) ?? '0');
    const price = Number(str(detail.limit_price));
    const out: RestingOrder = {
      symbol,
      rawSymbol: String(order.product_id),
      market: 'spot',
      side: order.side === 'BUY' ? 'buy' : 'sell',
    };
    if (Number.isFinite(size) && Number.isFinite(filled) && size > 0) out.quantity = size - filled;
    if (Number.isFinite(price) && price > 0) out.price = price;
    return out;
  }
  if (isRecord(trade)) return convertTradeOrder(trade);
  return undefined;
}

/** A convert quote as the market order it executes: the base amount it buys or sells. */
function convertTradeOrder(trade: Record<string, unknown>): RestingOrder | undefined {
  const from = isRecord(trade.user_entered_amount) ? trade.user_entered_amount : undefined;
  const to = isRecord(trade.amount) ? trade.amount : undefined;
  const fromCode = str(from?.currency) ?? str(trade.source_currency);
  const toCode = str(to?.currency) ?? str(trade.target_currency);
  if (!fromCode || !toCode) return undefined;
  const intent = convertIntent(fromCode, toCode, undefined);
  if (!intent.symbol || !intent.side) return undefined;
  // A buy receives `to` (the base); a sell gives `from` (the base).
  const amount = Number(str((intent.side === 'buy' ? to : from)?.value));
  if (!Number.isFinite(amount) || amount <= 0) return undefined;
  return { symbol: intent.symbol, market: 'spot', side: intent.side, quantity: amount };
}
