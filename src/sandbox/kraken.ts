/**
 * Emulated Kraken spot REST API: public Assets/AssetPairs/Ticker/Time and the private
 * methods a CCXT client uses, answering `{error:[...], result}` with HTTP 200 as Kraken does.
 * Asset and pair ids use Kraken's legacy names (XXBT, ZUSD, XXBTZUSD) like the real API.
 */
import { randomBytes } from 'node:crypto';
import { type Result, randomToken } from '../core/index.js';
import type { ExchangeResponse } from '../exchanges/index.js';
import { headerValue, parseParams, toNumber } from '../exchanges/index.js';
import { KRAKEN_ERRORS, kraken, krakenError, krakenSymbol } from '../exchanges/kraken/index.js';
import {
  json,
  type SandboxContext,
  type SandboxEmulator,
  type SandboxKey,
  type SandboxPermissions,
  type SandboxRequest,
} from './emulator.js';
import { standardEmulator } from './emulator-kit.js';
import {
  type Balance,
  type EngineError,
  type Market,
  marketAssets,
  type Order,
  type Trade,
} from './engine.js';
import { perEngine } from './engine-state.js';
import { ipRefused, verifyWithKey } from './key-auth.js';
import { idFromTxid, txid } from './kraken-ids.js';
import { issueKrakenWsToken, krakenWsEmulator } from './kraken-ws.js';
import type { IssuedKey } from './seed-keys.js';

const LEGACY_ID: Record<string, string> = {
  BTC: 'XXBT',
  ETH: 'XETH',
  DOGE: 'XXDG',
  USD: 'ZUSD',
  EUR: 'ZEUR',
};
const ALTNAME: Record<string, string> = { BTC: 'XBT', DOGE: 'XDG' };

export function krakenAssetId(asset: string): string {
  return LEGACY_ID[asset] ?? asset;
}

function altname(asset: string): string {
  return ALTNAME[asset] ?? asset;
}

/** Legacy pairs (both sides legacy assets) are named XXBTZUSD; newer ones by altname, e.g. SOLUSD. */
export function krakenPairIdOf(m: Market): string {
  return LEGACY_ID[m.base] && LEGACY_ID[m.quote]
    ? `${krakenAssetId(m.base)}${krakenAssetId(m.quote)}`
    : `${altname(m.base)}${altname(m.quote)}`;
}

function pairAltname(m: Market): string {
  return `${altname(m.base)}${altname(m.quote)}`;
}

function ok(result: unknown): ExchangeResponse {
  return json(200, { error: [], result });
}

function fail(error: string): ExchangeResponse {
  return krakenError([error]);
}

function fmt(n: number, decimals = 8): string {
  return n.toFixed(decimals);
}

function findPair(ctx: SandboxContext, raw: string | undefined): Market | undefined {
  if (raw === undefined) return undefined;
  const s = raw.toUpperCase();
  const byName = ctx.engine
    .markets()
    .find(
      (m) =>
        krakenPairIdOf(m) === s || pairAltname(m) === s || `${altname(m.base)}/${altname(m.quote)}` === s,
    );
  if (byName) return byName;
  const symbol = krakenSymbol(s);
  return symbol ? ctx.engine.market(symbol) : undefined;
}

function assetOf(ctx: SandboxContext, raw: string): string | undefined {
  const s = raw.toUpperCase();
  const all = marketAssets(ctx.engine);
  return all.find((a) => krakenAssetId(a) === s || altname(a) === s || a === s);
}

/** Kraken's error string for each engine refusal. */
const ENGINE_ERRORS: Record<EngineError['code'], string> = {
  unknown_symbol: 'EQuery:Unknown asset pair',
  invalid_quantity: 'EGeneral:Invalid arguments:volume',
  invalid_price: 'EGeneral:Invalid arguments:price',
  insufficient_balance: 'EOrder:Insufficient funds',
  order_not_found: 'EOrder:Unknown order',
  duplicate_client_order_id: 'EOrder:Duplicate order',
};

const engineError = (e: EngineError): ExchangeResponse => fail(ENGINE_ERRORS[e.code]);

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function orderJson(o: Order, ctx: SandboxContext) {
  const m = ctx.engine.market(o.symbol);
  const pair = m ? pairAltname(m) : o.symbol;
  const price = o.price ?? 0;
  return {
    refid: null,
    userref: 0,
    ...(o.clientOrderId !== undefined ? { cl_ord_id: o.clientOrderId } : {}),
    status: o.status === 'canceled' ? 'canceled' : o.status === 'filled' ? 'closed' : 'open',
    opentm: seconds(o.createdAt),
    ...(o.status !== 'open' ? { closetm: seconds(o.updatedAt) } : {}),
    starttm: 0,
    expiretm: 0,
    descr: {
      pair,
      type: o.side,
      ordertype: o.type,
      price: o.type === 'limit' ? fmt(price, 2) : '0',
      price2: '0',
      leverage: 'none',
      order: `${o.side} ${fmt(o.quantity)} ${pair} @ ${o.type === 'limit' ? `limit ${fmt(price, 2)}` : 'market'}`,
      close: '',
    },
    vol: fmt(o.quantity),
    vol_exec: fmt(o.filled),
    cost: fmt(o.filled * (o.averagePrice ?? 0)),
    fee: fmt(o.filled * (o.averagePrice ?? 0) * 0.001),
    price: fmt(o.averagePrice ?? 0),
    stopprice: '0.00000',
    limitprice: '0.00000',
    misc: '',
    oflags: 'fciq',
  };
}

function tradeJson(t: Trade, ctx: SandboxContext) {
  const m = ctx.engine.market(t.symbol);
  return {
    ordertxid: txid({ id: t.orderId }, 'O'),
    postxid: 'TKH2SE-M7IF5-CFI7LT',
    pair: m ? krakenPairIdOf(m) : t.symbol,
    time: seconds(t.at),
    type: t.side,
    ordertype: 'limit',
    price: fmt(t.price, 5),
    cost: fmt(t.price * t.quantity, 5),
    fee: fmt(t.side === 'buy' ? t.fee * t.price : t.fee, 5),
    vol: fmt(t.quantity),
    margin: '0.00000',
    misc: '',
    leverage: '0',
    trade_id: Number(t.id),
    maker: false,
  };
}

type Need = 'none' | 'read' | 'trade' | 'withdraw';
type Get = (name: string) => string | undefined;
/** A private call's fields: form fields by their literal names (`close[price]`), or the JSON object. */
type Fields = Record<string, unknown>;

interface Route {
  need: Need;
  /** Every parameter Kraken documents for the method (anything else: EGeneral:Invalid arguments:<name>). */
  params: readonly string[];
  handle(get: Get, key: SandboxKey, ctx: SandboxContext, fields: Fields): ExchangeResponse;
}

const ORDER_PARAMS = [
  'userref',
  'cl_ord_id',
  'ordertype',
  'type',
  'volume',
  'displayvol',
  'price',
  'price2',
  'trigger',
  'leverage',
  'reduce_only',
  'stptype',
  'oflags',
  'timeinforce',
  'starttm',
  'expiretm',
  'close',
  'close[ordertype]',
  'close[price]',
  'close[price2]',
];
const READ_ORDER_PARAMS = [
  'trades',
  'userref',
  'cl_ord_id',
  'start',
  'end',
  'ofs',
  'closetime',
  'consolidate_taker',
  'without_count',
  'rebase_multiplier',
];

function byTxid(orders: Order[], ctx: SandboxContext): Record<string, unknown> {
  return Object.fromEntries(orders.map((o) => [txid(o, 'O'), orderJson(o, ctx)]));
}

function permissionNames(p: SandboxPermissions): string[] {
  const out: string[] = [];
  if (p.read) out.push('query-funds', 'query-open-trades', 'query-closed-trades', 'query-ledger-entries');
  if (p.trade) out.push('modify-trades', 'cancel-close-orders');
  if (p.withdraw) out.push('withdraw-funds');
  return out;
}

function isRecord(v: unknown): v is Fields {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first field Kraken does not know for this method (close[...] nested or not). */
function unknownParam(fields: Fields, known: readonly string[]): string | undefined {
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'nonce' || k === 'otp') continue;
    if (!known.includes(k)) return k;
    if (k === 'close' && isRecord(v)) {
      const inner = Object.keys(v).find((c) => !['ordertype', 'price', 'price2'].includes(c));
      if (inner !== undefined) return `close[${inner}]`;
    }
  }
  return undefined;
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string'
    ? v
    : typeof v === 'number'
      ? String(v)
      : typeof v === 'boolean'
        ? String(v)
        : undefined;

/** A plain decimal as Kraken reads sizes. */
function plainNumber(v: string | undefined): number | undefined {
  return v !== undefined && /^\d{1,16}(?:\.\d{1,18})?$/.test(v) ? Number(v) : undefined;
}

/** Kraken's prices: absolute, or relative to the last trade (`+5`, `-5`, `#5` away from the market side, `5%`). */
function krakenPrice(v: string | undefined, last: number, side: 'buy' | 'sell'): number | undefined {
  const m = v === undefined ? null : /^([+#-])?(\d{1,16}(?:\.\d{1,18})?)(%)?$/.exec(v);
  if (!m?.[2]) return undefined;
  const n = Number(m[2]);
  const delta = m[3] ? (last * n) / 100 : n;
  const sign = m[1] === '#' ? (side === 'buy' ? '-' : '+') : m[1];
  if (sign === '+') return last + delta;
  if (sign === '-') return last - delta;
  return m[3] ? undefined : n;
}

/** Orders Kraken replaced (EditOrder, AmendOrder): the old txid and client id name the new engine order. */
const replaced = perEngine(() => new Map<string, string>());
function aliases(ctx: SandboxContext): Map<string, string> {
  return replaced(ctx.engine);
}
function current(ctx: SandboxContext, id: string): string {
  const seen = new Set<string>();
  let at = id;
  for (let next = aliases(ctx).get(at); next !== undefined && !seen.has(next); next = aliases(ctx).get(at)) {
    seen.add(next);
    at = next;
  }
  return at;
}

/** A refusal is Kraken's own error answer, ready to send. */
type Placed = Result<{ descr: { order: string }; txid: string[] }, ExchangeResponse>;

/**
 * One AddOrder as Kraken executes it: market and limit orders (relative limit prices read
 * against the last trade), `viqc` market orders sized in quote, a price on a market order
 * ignored, leverage accepted (a spot fill here), and a conditional `close` limit order placed
 * opposite once the primary fills. Trigger types are not emulated (refused).
 */
function placeKrakenOrder(
  o: Fields,
  pairRaw: string | undefined,
  validate: boolean,
  key: SandboxKey,
  ctx: SandboxContext,
): Placed {
  const no = (e: string): Placed => ({ ok: false, error: fail(e) });
  const m = findPair(ctx, pairRaw);
  if (!m) return no('EQuery:Unknown asset pair');
  const side = text(o.type);
  const type = text(o.ordertype);
  if (side !== 'buy' && side !== 'sell') return no('EGeneral:Invalid arguments:type');
  if (type !== 'limit' && type !== 'market') return no('EGeneral:Invalid arguments:ordertype');
  const volume = plainNumber(text(o.volume));
  if (volume === undefined) return no('EGeneral:Invalid arguments:volume');
  const price = type === 'limit' ? krakenPrice(text(o.price), m.price, side) : undefined;
  if (type === 'limit' && !(price !== undefined && price > 0)) return no('EOrder:Invalid price');
  const flags = (text(o.oflags) ?? '').split(',');
  const viqc = type === 'market' && flags.includes('viqc');
  const closeFields = isRecord(o.close)
    ? o.close
    : o['close[ordertype]'] !== undefined
      ? { ordertype: o['close[ordertype]'], price: o['close[price]'], price2: o['close[price2]'] }
      : undefined;
  const closeSide = side === 'buy' ? 'sell' : 'buy';
  let closePrice: number | undefined;
  if (closeFields) {
    if (text(closeFields.ordertype) !== 'limit') return no('EGeneral:Invalid arguments:close[ordertype]');
    closePrice = krakenPrice(text(closeFields.price), m.price, closeSide);
    if (!(closePrice !== undefined && closePrice > 0)) return no('EOrder:Invalid price');
  }
  const pair = pairAltname(m);
  const descr = {
    order: `${side} ${text(o.volume) ?? ''} ${pair} @ ${type === 'limit' ? `limit ${fmt(price ?? 0, 2)}` : 'market'}`,
  };
  if (validate) return { ok: true, value: { descr, txid: [] } };
  const clientOrderId = text(o.cl_ord_id);
  const r = ctx.engine.placeOrder({
    account: key.account,
    symbol: m.symbol,
    side,
    type,
    ...(viqc ? { quoteQuantity: volume } : { quantity: volume }),
    ...(price !== undefined ? { price } : {}),
    ...(clientOrderId !== undefined ? { clientOrderId } : {}),
  });
  if (!r.ok) return { ok: false, error: engineError(r.error) };
  if (closePrice !== undefined && r.value.status === 'filled')
    ctx.engine.placeOrder({
      account: key.account,
      symbol: m.symbol,
      side: closeSide,
      type: 'limit',
      quantity: r.value.quantity,
      price: closePrice,
    });
  return { ok: true, value: { descr, txid: [txid(r.value, 'O')] } };
}

type Found = Result<Order, ExchangeResponse>;

function restingOrder(
  ctx: SandboxContext,
  key: SandboxKey,
  tx: string | undefined,
  cl: string | undefined,
): Found {
  if ((tx === undefined) === (cl === undefined))
    return { ok: false, error: fail('EGeneral:Invalid arguments:txid') };
  const raw = tx === undefined ? undefined : idFromTxid(tx);
  const byCl = cl === undefined ? undefined : aliases(ctx).get(`cl:${cl}`);
  const o =
    raw !== undefined
      ? ctx.engine.order(key.account, { id: current(ctx, raw) })
      : byCl !== undefined
        ? ctx.engine.order(key.account, { id: current(ctx, byCl) })
        : ctx.engine.order(key.account, { clientOrderId: cl ?? '' });
  if (o?.status !== 'open') return { ok: false, error: fail('EOrder:Unknown order') };
  return { ok: true, value: o };
}

type Replaced = Result<Order, ExchangeResponse>;

/** Kraken's amend and edit, here: the resting order is cancelled and replaced by one with the new size and limit price. */
function replaceOrder(
  ctx: SandboxContext,
  key: SandboxKey,
  old: Order,
  qty: string | undefined,
  priceText: string | undefined,
): Replaced {
  const m = ctx.engine.market(old.symbol);
  if (!m || old.type !== 'limit') return { ok: false, error: fail('EOrder:Invalid order') };
  const quantity = qty === undefined ? old.quantity - old.filled : plainNumber(qty);
  if (quantity === undefined || !(quantity > 0))
    return { ok: false, error: fail('EGeneral:Invalid arguments:order_qty') };
  const price = priceText === undefined ? old.price : krakenPrice(priceText, m.price, old.side);
  if (!(price !== undefined && price > 0)) return { ok: false, error: fail('EOrder:Invalid price') };
  ctx.engine.cancelOrder(key.account, { id: old.id });
  const r = ctx.engine.placeOrder({
    account: key.account,
    symbol: old.symbol,
    side: old.side,
    type: 'limit',
    quantity,
    price,
  });
  if (!r.ok) return { ok: false, error: engineError(r.error) };
  aliases(ctx).set(old.id, r.value.id);
  if (old.clientOrderId !== undefined) aliases(ctx).set(`cl:${old.clientOrderId}`, r.value.id);
  return { ok: true, value: r.value };
}

/** The account's balances under Kraken's legacy asset ids, each in the shape `view` gives it. */
function balances(key: SandboxKey, ctx: SandboxContext, view: (b: Balance) => unknown): ExchangeResponse {
  const entries = [...ctx.engine.balances(key.account).entries()];
  return ok(Object.fromEntries(entries.map(([asset, b]) => [krakenAssetId(asset), view(b)])));
}

const PRIVATE: Record<string, Route> = {
  Balance: {
    need: 'read',
    params: [],
    handle: (_g, key, ctx) => balances(key, ctx, (b) => fmt(b.free + b.locked, 10)),
  },
  BalanceEx: {
    need: 'read',
    params: [],
    handle: (_g, key, ctx) =>
      balances(key, ctx, (b) => ({ balance: fmt(b.free + b.locked, 10), hold_trade: fmt(b.locked, 10) })),
  },
  OpenOrders: {
    need: 'read',
    params: READ_ORDER_PARAMS,
    handle: (get, key, ctx) => {
      const cl = get('cl_ord_id');
      const open = ctx.engine
        .openOrders(key.account)
        .filter((o) => cl === undefined || o.clientOrderId === cl);
      return ok({ open: byTxid(open, ctx) });
    },
  },
  ClosedOrders: {
    need: 'read',
    params: READ_ORDER_PARAMS,
    handle: (_g, key, ctx) => {
      const closed = ctx.engine.closedOrders(key.account);
      return ok({ closed: byTxid(closed, ctx), count: closed.length });
    },
  },
  QueryOrders: {
    need: 'read',
    params: ['trades', 'userref', 'txid', 'consolidate_taker', 'rebase_multiplier'],
    handle(get, key, ctx) {
      const ids = (get('txid') ?? '').split(',').filter((s) => s !== '');
      // Keyed by the txid asked for: an amended order keeps its txid at Kraken (here it is a replacement).
      const found: Record<string, unknown> = {};
      for (const t of ids) {
        const id = idFromTxid(t);
        const o = id === undefined ? undefined : ctx.engine.order(key.account, { id: current(ctx, id) });
        if (o) found[t] = orderJson(o, ctx);
      }
      return ids.length === 0 ? fail('EGeneral:Invalid arguments:txid') : ok(found);
    },
  },
  TradesHistory: {
    need: 'read',
    params: ['type', 'trades', 'start', 'end', 'ofs', 'consolidate_taker', 'ledgers', 'rebase_multiplier'],
    handle(_g, key, ctx) {
      const trades = ctx.engine.trades(key.account);
      return ok({
        trades: Object.fromEntries(trades.map((t) => [txid(t, 'T'), tradeJson(t, ctx)])),
        count: trades.length,
      });
    },
  },
  AddOrder: {
    need: 'trade',
    params: ['pair', 'asset_class', 'deadline', 'validate', 'broker', ...ORDER_PARAMS],
    handle(get, key, ctx, fields) {
      const r = placeKrakenOrder(fields, get('pair'), get('validate') === 'true', key, ctx);
      return r.ok ? ok(r.value) : r.error;
    },
  },
  AddOrderBatch: {
    need: 'trade',
    params: ['pair', 'orders', 'asset_class', 'deadline', 'validate', 'broker'],
    handle(get, key, ctx, fields) {
      const list = fields.orders;
      // Kraken takes 2 to 15 orders, all on the batch pair (docs: add-order-batch).
      if (!Array.isArray(list) || list.length < 2 || list.length > 15)
        return fail('EGeneral:Invalid arguments:orders');
      const items = list.map((o: unknown) => (isRecord(o) ? o : {}));
      for (const item of items) {
        const unknown = unknownParam(item, [...ORDER_PARAMS, 'pair']);
        if (unknown !== undefined) return fail(`EGeneral:Invalid arguments:${unknown}`);
      }
      // Kraken validates the whole batch before placing any of it; each order's own pair wins over the batch's.
      const pairOf = (item: Fields) => (typeof item.pair === 'string' ? item.pair : get('pair'));
      for (const item of items) {
        const r = placeKrakenOrder(item, pairOf(item), true, key, ctx);
        if (!r.ok) return r.error;
      }
      if (get('validate') === 'true') return ok({ orders: [] });
      const orders = items.map((item) => {
        const r = placeKrakenOrder(item, pairOf(item), false, key, ctx);
        return r.ok ? r.value : { error: JSON.parse(r.error.body).error[0] };
      });
      return ok({ orders: orders.map((o) => ('txid' in o ? { txid: o.txid[0], descr: o.descr } : o)) });
    },
  },
  AmendOrder: {
    need: 'trade',
    params: [
      'txid',
      'cl_ord_id',
      'order_qty',
      'display_qty',
      'limit_price',
      'trigger_price',
      'post_only',
      'deadline',
    ],
    handle(get, key, ctx) {
      const found = restingOrder(ctx, key, get('txid'), get('cl_ord_id'));
      if (!found.ok) return found.error;
      const r = replaceOrder(ctx, key, found.value, get('order_qty'), get('limit_price'));
      return r.ok ? ok({ amend_id: `TSBX${r.value.id}-AMEND-SANDBX` }) : r.error;
    },
  },
  EditOrder: {
    need: 'trade',
    params: [
      'userref',
      'txid',
      'volume',
      'displayvol',
      'pair',
      'price',
      'price2',
      'oflags',
      'deadline',
      'cancel_response',
      'validate',
    ],
    handle(get, key, ctx) {
      const found = restingOrder(ctx, key, get('txid'), undefined);
      if (!found.ok) return found.error;
      const m = findPair(ctx, get('pair'));
      if (!m || m.symbol !== found.value.symbol) return fail('EQuery:Unknown asset pair');
      if (get('validate') === 'true') return ok({ status: 'ok' });
      const old = found.value;
      const r = replaceOrder(ctx, key, old, get('volume'), get('price'));
      if (!r.ok) return r.error;
      return ok({
        status: 'ok',
        txid: txid(r.value, 'O'),
        originaltxid: txid(old, 'O'),
        volume: fmt(r.value.quantity),
        price: fmt(r.value.price ?? 0, 2),
        orders_cancelled: 1,
        descr: {
          order: `${r.value.side} ${fmt(r.value.quantity)} ${pairAltname(m)} @ limit ${fmt(r.value.price ?? 0, 2)}`,
        },
      });
    },
  },
  CancelOrder: {
    need: 'trade',
    params: ['txid', 'cl_ord_id'],
    handle(get, key, ctx) {
      const raw = get('txid');
      const cl = get('cl_ord_id');
      const id = raw === undefined ? undefined : idFromTxid(raw);
      if (raw === undefined && cl === undefined) return fail('EGeneral:Invalid arguments:txid');
      const r = ctx.engine.cancelOrder(key.account, {
        ...(id !== undefined ? { id } : {}),
        ...(cl !== undefined ? { clientOrderId: cl } : {}),
        ...(raw !== undefined && id === undefined ? { clientOrderId: raw } : {}),
      });
      return r.ok ? ok({ count: 1 }) : engineError(r.error);
    },
  },
  CancelOrderBatch: {
    need: 'trade',
    params: ['orders', 'cl_ord_ids'],
    handle(_g, key, ctx, fields) {
      const ids = Array.isArray(fields.orders) ? fields.orders : [];
      const cls = Array.isArray(fields.cl_ord_ids) ? fields.cl_ord_ids : [];
      if (ids.length + cls.length === 0) return fail('EGeneral:Invalid arguments:orders');
      let count = 0;
      for (const raw of ids) {
        const id = typeof raw === 'string' ? idFromTxid(raw) : undefined;
        if (id !== undefined && ctx.engine.cancelOrder(key.account, { id: current(ctx, id) }).ok) count++;
      }
      for (const cl of cls)
        if (typeof cl === 'string' && ctx.engine.cancelOrder(key.account, { clientOrderId: cl }).ok) count++;
      return ok({ count });
    },
  },
  CancelAll: {
    need: 'trade',
    params: [],
    handle(_g, key, ctx) {
      let count = 0;
      for (const o of ctx.engine.openOrders(key.account))
        if (ctx.engine.cancelOrder(key.account, { id: o.id }).ok) count++;
      return ok({ count });
    },
  },
  Withdraw: {
    need: 'withdraw',
    params: ['asset', 'aclass', 'key', 'address', 'amount', 'max_fee'],
    handle(get, key, ctx) {
      const asset = get('asset');
      const name = get('key');
      const amount = toNumber(get('amount'));
      if (!asset || !name || amount === undefined) return fail('EGeneral:Invalid arguments');
      const coin = assetOf(ctx, asset);
      if (!coin) return fail('EFunding:Unknown asset');
      const r = ctx.engine.withdraw({ account: key.account, coin, amount, address: get('address') ?? name });
      if (!r.ok)
        return r.error.code === 'insufficient_balance'
          ? fail('EFunding:Insufficient funds')
          : fail('EFunding:Invalid amount');
      return ok({ refid: txid(r.value, 'F') });
    },
  },
  WithdrawStatus: {
    need: 'read',
    params: ['asset', 'aclass', 'method', 'start', 'end', 'cursor', 'limit', 'rebase_multiplier'],
    handle: (_g, key, ctx) =>
      ok(
        ctx.engine.withdrawals(key.account).map((w) => ({
          method: w.coin,
          aclass: 'currency',
          asset: krakenAssetId(w.coin),
          refid: txid(w, 'F'),
          txid: `sandbox-${w.id}`,
          info: w.address,
          amount: fmt(w.amount, 10),
          fee: '0.0000000000',
          time: Math.floor(w.at / 1000),
          status: 'Success',
        })),
      ),
  },
  GetWebSocketsToken: {
    need: 'read',
    params: [],
    handle: (_g, key, ctx) => ok(issueKrakenWsToken(key, ctx)),
  },
  GetApiKeyInfo: {
    need: 'none',
    params: [],
    handle: (_g, key) =>
      ok({
        apiKeyName: `sandbox-${key.name}`,
        apiKey: key.credential.apiKey,
        nonce: '0',
        nonceWindow: 0,
        permissions: permissionNames(key.permissions),
        iban: 'AA00 SAND BOXX 0000',
        validUntil: '0',
        queryFrom: '0',
        queryTo: '0',
        createdTime: '1700000000',
        modifiedTime: '1700000000',
        ipAllowlist: key.ipAllow ?? [],
        lastUsed: '0',
      }),
  },
};

function publicRoute(request: SandboxRequest, get: Get, ctx: SandboxContext): ExchangeResponse {
  const name = request.path.slice('/0/public/'.length);
  switch (name) {
    case 'Time': {
      const now = ctx.clock.now();
      return ok({ unixtime: Math.floor(now / 1000), rfc1123: new Date(now).toUTCString() });
    }
    case 'SystemStatus':
      return ok({ status: 'online', timestamp: new Date(ctx.clock.now()).toISOString() });
    case 'Assets':
      return ok(
        Object.fromEntries(
          marketAssets(ctx.engine).map((a) => [
            krakenAssetId(a),
            {
              aclass: 'currency',
              altname: altname(a),
              decimals: 10,
              display_decimals: 5,
              collateral_value: 1,
              status: 'enabled',
            },
          ]),
        ),
      );
    case 'AssetPairs':
      return ok(
        Object.fromEntries(
          ctx.engine.markets().map((m) => [
            krakenPairIdOf(m),
            {
              altname: pairAltname(m),
              wsname: `${altname(m.base)}/${altname(m.quote)}`,
              aclass_base: 'currency',
              base: krakenAssetId(m.base),
              aclass_quote: 'currency',
              quote: krakenAssetId(m.quote),
              lot: 'unit',
              cost_decimals: 5,
              pair_decimals: 2,
              lot_decimals: 8,
              lot_multiplier: 1,
              leverage_buy: [],
              leverage_sell: [],
              fees: [[0, 0.26]],
              fees_maker: [[0, 0.16]],
              fee_volume_currency: 'ZUSD',
              margin_call: 80,
              margin_stop: 40,
              ordermin: '0.00000001',
              costmin: '0.00001',
              tick_size: '0.01',
              status: 'online',
            },
          ]),
        ),
      );
    case 'Ticker': {
      const pairs = (get('pair') ?? '').split(',').filter((s) => s !== '');
      const markets = pairs.length === 0 ? ctx.engine.markets() : pairs.map((p) => findPair(ctx, p));
      if (markets.some((m) => m === undefined)) return fail('EQuery:Unknown asset pair');
      return ok(
        Object.fromEntries(
          markets.flatMap((m) => {
            if (!m) return [];
            const p = fmt(m.price, 5);
            return [
              [
                krakenPairIdOf(m),
                {
                  a: [p, '1', '1.000'],
                  b: [p, '1', '1.000'],
                  c: [p, '0.1'],
                  v: ['100', '1000'],
                  p: [p, p],
                  t: [100, 1000],
                  l: [p, p],
                  h: [p, p],
                  o: p,
                },
              ],
            ];
          }),
        ),
      );
    }
    default:
      return fail('EGeneral:Unknown method');
  }
}

function issueKey(): IssuedKey {
  const secret = randomBytes(64).toString('base64');
  return { credential: { apiKey: randomToken(56), secret }, verifySecret: secret };
}

function handle(request: SandboxRequest, ctx: SandboxContext): ExchangeResponse {
  const parsed = kraken.parse(request);
  if (!parsed.ok) return fail(`${KRAKEN_ERRORS.invalidArguments}:${parsed.message}`);
  if (request.path.startsWith('/0/public/')) {
    const q = parseParams(request.query);
    const params = q.ok ? q.params : [];
    return publicRoute(request, (n) => params.find(([k]) => k === n)?.[1], ctx);
  }
  if (!request.path.startsWith('/0/private/')) return json(404, { error: ['EGeneral:Unknown method'] });
  if (request.method !== 'POST') return fail('EGeneral:Invalid arguments');
  const route = PRIVATE[request.path.slice('/0/private/'.length)];
  if (!route) return fail(KRAKEN_ERRORS.unknownMethod);
  const apiKey = headerValue(request.headers, 'api-key');
  const key = apiKey ? ctx.keyById(apiKey) : undefined;
  if (!key) return fail(KRAKEN_ERRORS.invalidKey);
  const verdict = verifyWithKey(kraken, request, key, ctx);
  if (!verdict.ok) {
    switch (verdict.reason) {
      case 'bad_signature':
        return fail(KRAKEN_ERRORS.invalidSignature);
      case 'nonce_reused':
        return fail(KRAKEN_ERRORS.invalidNonce);
      case 'missing_credentials':
        return fail(KRAKEN_ERRORS.invalidKey);
      default:
        return fail(verdict.message.startsWith('EAPI') ? verdict.message : KRAKEN_ERRORS.invalidArguments);
    }
  }
  // Which string Kraken returns for a non-allow-listed IP is UNCONFIRMED; permission denied is the closest documented one.
  if (ipRefused(key, request)) return fail(KRAKEN_ERRORS.permissionDenied);
  if (route.need !== 'none' && !key.permissions[route.need]) return fail(KRAKEN_ERRORS.permissionDenied);
  const fields = bodyFields(request);
  const unknown = unknownParam(fields, route.params);
  if (unknown !== undefined) return fail(`${KRAKEN_ERRORS.invalidArguments}:${unknown}`);
  return route.handle((n) => text(fields[n]), key, ctx, fields);
}

export const krakenEmulator: SandboxEmulator = {
  ...standardEmulator('kraken', issueKey, handle),
  ws: krakenWsEmulator,
};

/** The body as Kraken reads it: the JSON object, or form fields by their literal names. */
function bodyFields(request: SandboxRequest): Fields {
  if (request.body.trimStart().startsWith('{')) {
    try {
      const v = JSON.parse(request.body) as unknown;
      return isRecord(v) ? v : {};
    } catch {
      return {};
    }
  }
  const p = parseParams(request.body);
  return p.ok ? Object.fromEntries(p.params) : {};
}
