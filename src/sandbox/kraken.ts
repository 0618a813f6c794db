/**
 * Emulated Kraken spot REST API: public Assets/AssetPairs/Ticker/Time and the private
 * methods a CCXT client uses, answering `{error:[...], result}` with HTTP 200 as Kraken does.
 * Asset and pair ids use Kraken's legacy names (XXBT, ZUSD, XXBTZUSD) like the real API.
 */
import { randomBytes } from 'node:crypto';
import type { ExchangeResponse } from '../exchanges/adapter.js';
import { headerValue } from '../exchanges/http-text.js';
import { KRAKEN_ERRORS, kraken, krakenError, krakenSymbol } from '../exchanges/kraken.js';
import { parseParams, toNumber } from '../exchanges/params.js';
import { randomToken } from '../util/random-id.js';
import {
  json,
  type SandboxContext,
  type SandboxEmulator,
  type SandboxKey,
  type SandboxPermissions,
  type SandboxRequest,
} from './emulator.js';
import { type EngineError, type Market, marketAssets, type Order, type Trade } from './engine.js';
import { ipRefused, verifyWithKey } from './key-auth.js';
import { type IssuedKey, seedKeys } from './seed-keys.js';

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

function txid(o: { id: string }, prefix: 'O' | 'T' | 'F'): string {
  return `${prefix}SBX${o.id.padStart(3, '0')}-KRKEN-SANDBX`;
}

function idFromTxid(raw: string): string | undefined {
  const m = /^[OTF]SBX(\d+)-KRKEN-SANDBX$/.exec(raw);
  return m?.[1]?.replace(/^0+(?=\d)/, '');
}

function engineError(e: EngineError): ExchangeResponse {
  switch (e.code) {
    case 'unknown_symbol':
      return fail('EQuery:Unknown asset pair');
    case 'invalid_quantity':
      return fail('EGeneral:Invalid arguments:volume');
    case 'invalid_price':
      return fail('EGeneral:Invalid arguments:price');
    case 'insufficient_balance':
      return fail('EOrder:Insufficient funds');
    case 'order_not_found':
      return fail('EOrder:Unknown order');
    case 'duplicate_client_order_id':
      return fail('EOrder:Duplicate order');
  }
}

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

interface Route {
  need: Need;
  handle(get: Get, key: SandboxKey, ctx: SandboxContext): ExchangeResponse;
}

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

const PRIVATE: Record<string, Route> = {
  Balance: {
    need: 'read',
    handle: (_g, key, ctx) =>
      ok(
        Object.fromEntries(
          [...ctx.engine.balances(key.account).entries()].map(([a, b]) => [
            krakenAssetId(a),
            fmt(b.free + b.locked, 10),
          ]),
        ),
      ),
  },
  BalanceEx: {
    need: 'read',
    handle: (_g, key, ctx) =>
      ok(
        Object.fromEntries(
          [...ctx.engine.balances(key.account).entries()].map(([a, b]) => [
            krakenAssetId(a),
            { balance: fmt(b.free + b.locked, 10), hold_trade: fmt(b.locked, 10) },
          ]),
        ),
      ),
  },
  OpenOrders: {
    need: 'read',
    handle: (_g, key, ctx) => ok({ open: byTxid(ctx.engine.openOrders(key.account), ctx) }),
  },
  ClosedOrders: {
    need: 'read',
    handle: (_g, key, ctx) => {
      const closed = ctx.engine.closedOrders(key.account);
      return ok({ closed: byTxid(closed, ctx), count: closed.length });
    },
  },
  QueryOrders: {
    need: 'read',
    handle(get, key, ctx) {
      const ids = (get('txid') ?? '').split(',').filter((s) => s !== '');
      const found: Order[] = [];
      for (const t of ids) {
        const id = idFromTxid(t);
        const o = id === undefined ? undefined : ctx.engine.order(key.account, { id });
        if (o) found.push(o);
      }
      return ids.length === 0 ? fail('EGeneral:Invalid arguments:txid') : ok(byTxid(found, ctx));
    },
  },
  TradesHistory: {
    need: 'read',
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
    handle(get, key, ctx) {
      const m = findPair(ctx, get('pair'));
      if (!m) return fail('EQuery:Unknown asset pair');
      const side = get('type');
      const type = get('ordertype');
      if (side !== 'buy' && side !== 'sell') return fail('EGeneral:Invalid arguments:type');
      if (type !== 'limit' && type !== 'market') return fail('EGeneral:Invalid arguments:ordertype');
      const volume = toNumber(get('volume'));
      const price = toNumber(get('price'));
      const viqc = (get('oflags') ?? '').split(',').includes('viqc');
      const clientOrderId = get('cl_ord_id');
      const validate = get('validate') === 'true';
      const pair = pairAltname(m);
      const descr = {
        order: `${side} ${get('volume') ?? ''} ${pair} @ ${type === 'limit' ? `limit ${get('price') ?? ''}` : 'market'}`,
      };
      if (validate) return ok({ descr });
      const r = ctx.engine.placeOrder({
        account: key.account,
        symbol: m.symbol,
        side,
        type,
        ...(volume !== undefined ? (viqc ? { quoteQuantity: volume } : { quantity: volume }) : {}),
        ...(price !== undefined ? { price } : {}),
        ...(clientOrderId !== undefined ? { clientOrderId } : {}),
      });
      if (!r.ok) return engineError(r.error);
      return ok({ descr, txid: [txid(r.value, 'O')] });
    },
  },
  CancelOrder: {
    need: 'trade',
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
  CancelAll: {
    need: 'trade',
    handle(_g, key, ctx) {
      let count = 0;
      for (const o of ctx.engine.openOrders(key.account))
        if (ctx.engine.cancelOrder(key.account, { id: o.id }).ok) count++;
      return ok({ count });
    },
  },
  Withdraw: {
    need: 'withdraw',
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
  GetApiKeyInfo: {
    need: 'none',
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

export const krakenEmulator: SandboxEmulator = {
  exchange: 'kraken',

  generateKeys() {
    return seedKeys('kraken', issueKey);
  },

  handle(request, ctx) {
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
    const body = bodyFields(request);
    return route.handle((n) => body.get(n), key, ctx);
  },
};

function bodyFields(request: SandboxRequest): Map<string, string> {
  const out = new Map<string, string>();
  if (request.body.trimStart().startsWith('{')) {
    try {
      const v = JSON.parse(request.body) as Record<string, unknown>;
      for (const [k, x] of Object.entries(v))
        if (typeof x === 'string' || typeof x === 'number') out.set(k, String(x));
    } catch {
      return out;
    }
    return out;
  }
  const p = parseParams(request.body);
  if (p.ok) for (const [k, v] of p.params) out.set(k, v);
  return out;
}
