/**
 * Emulated Binance spot + wallet API. Signatures and freshness are checked with the same code
 * the gateway uses for clients (the exchange's published algorithm), then each key's
 * permissions and IP allow-list, then the shared engine does the bookkeeping.
 */

import { generateKeyPairSync } from 'node:crypto';
import { randomToken } from '../core/index.js';
import { binance, binanceMarketId, binanceParams } from '../exchanges/binance/index.js';
import type { ExchangeResponse } from '../exchanges/index.js';
import { getParam, headerValue, type Params, toNumber } from '../exchanges/index.js';
import { binanceWeightLimited } from './binance-limits.js';
import {
  amendKeepPriority,
  cancelReplace,
  convertAccept,
  convertQuote,
  engineError,
  err,
  fmt,
  legacyOco,
  marketById,
  newOrder,
  orderJson,
  orderListOco,
  runStops,
  symbolFilters,
} from './binance-orders.js';
import { binanceWsEmulator } from './binance-ws.js';
import {
  json,
  type SandboxContext,
  type SandboxEmulator,
  type SandboxKey,
  type SandboxPermissions,
  type SandboxRequest,
} from './emulator.js';
import { type Market, marketAssets, type Trade } from './engine.js';
import { ipRefused, verifyWithKey } from './key-auth.js';
import { type IssuedKey, sandboxKey, seedKeys } from './seed-keys.js';

type Need = 'none' | 'read' | 'trade' | 'withdraw';

interface Route {
  need: Need;
  /** Parameters the endpoint reads besides the auth ones; any other is -1104 (order routes check their own). */
  reads?: string[];
  handle(params: Params, key: SandboxKey, ctx: SandboxContext): ExchangeResponse;
}

function tradeJson(t: Trade) {
  return {
    symbol: binanceMarketId(t.symbol),
    id: Number(t.id),
    orderId: Number(t.orderId),
    orderListId: -1,
    price: fmt(t.price),
    qty: fmt(t.quantity),
    quoteQty: fmt(t.price * t.quantity),
    commission: fmt(t.fee),
    commissionAsset: t.feeCurrency,
    time: t.at,
    isBuyer: t.side === 'buy',
    isMaker: false,
    isBestMatch: true,
  };
}

function exchangeInfo(ctx: SandboxContext, now: number) {
  return {
    timezone: 'UTC',
    serverTime: now,
    rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 }],
    exchangeFilters: [],
    symbols: ctx.engine.markets().map((m) => ({
      symbol: binanceMarketId(m.symbol),
      status: 'TRADING',
      baseAsset: m.base,
      baseAssetPrecision: 8,
      quoteAsset: m.quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'],
      icebergAllowed: true,
      ocoAllowed: true,
      otoAllowed: true,
      quoteOrderQtyMarketAllowed: true,
      allowTrailingStop: true,
      cancelReplaceAllowed: true,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: symbolFilters(),
      permissions: [],
      permissionSets: [['SPOT']],
      defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
      allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
    })),
  };
}

function coinConfig(ctx: SandboxContext, key: SandboxKey) {
  const balances = ctx.engine.balances(key.account);
  return marketAssets(ctx.engine).map((coin) => {
    const b = balances.get(coin);
    return {
      coin,
      depositAllEnable: true,
      withdrawAllEnable: true,
      name: coin,
      free: fmt(b?.free ?? 0),
      locked: fmt(b?.locked ?? 0),
      freeze: '0',
      withdrawing: '0',
      ipoing: '0',
      ipoable: '0',
      storage: '0',
      isLegalMoney: ['USD', 'EUR'].includes(coin),
      trading: true,
      networkList: [
        {
          network: coin,
          coin,
          withdrawIntegerMultiple: '0.00000001',
          isDefault: true,
          depositEnable: true,
          withdrawEnable: true,
          depositDesc: '',
          withdrawDesc: '',
          name: coin,
          resetAddressStatus: false,
          withdrawFee: '0',
          withdrawMin: '0.00000001',
          withdrawMax: '10000000',
          minConfirm: 1,
          unLockConfirm: 0,
          sameAddress: false,
          estimatedArrivalTime: 1,
          busy: false,
        },
      ],
    };
  });
}

const ROUTES: Record<string, Route> = {
  'GET /api/v3/account': {
    need: 'read',
    handle(_p, key, ctx) {
      const balances = [...ctx.engine.balances(key.account).entries()].map(([asset, b]) => ({
        asset,
        free: fmt(b.free),
        locked: fmt(b.locked),
      }));
      return json(200, {
        makerCommission: 10,
        takerCommission: 10,
        buyerCommission: 0,
        sellerCommission: 0,
        commissionRates: {
          maker: '0.00100000',
          taker: '0.00100000',
          buyer: '0.00000000',
          seller: '0.00000000',
        },
        canTrade: key.permissions.trade,
        canWithdraw: key.permissions.withdraw,
        canDeposit: true,
        brokered: false,
        requireSelfTradePrevention: false,
        preventSor: false,
        updateTime: ctx.clock.now(),
        accountType: 'SPOT',
        balances,
        permissions: ['SPOT'],
        uid: 100000001,
      });
    },
  },
  'GET /sapi/v1/capital/config/getall': {
    need: 'read',
    handle: (_p, key, ctx) => json(200, coinConfig(ctx, key)),
  },
  'GET /sapi/v1/margin/allPairs': { need: 'read', handle: () => json(200, []) },
  'GET /sapi/v1/margin/isolated/allPairs': { need: 'read', handle: () => json(200, []) },
  'GET /sapi/v1/account/apiRestrictions': {
    need: 'none',
    handle(_p, key) {
      return json(200, apiRestrictions(key.permissions, key.ipAllow));
    },
  },
  'GET /sapi/v1/account/apiRestrictions/ipRestriction': {
    need: 'none',
    handle(_p, key, ctx) {
      return json(200, {
        ipRestrict: key.ipAllow !== undefined,
        ipList: key.ipAllow ?? [],
        updateTime: ctx.clock.now(),
        apiKey: key.credential.apiKey,
      });
    },
  },
  'POST /api/v3/order': { need: 'trade', handle: (p, key, ctx) => newOrder(p, key, ctx) },
  'POST /api/v3/order/test': {
    need: 'trade',
    handle: (p, key, ctx) => newOrder(p, key, ctx, { test: true, extra: ['computeCommissionRates'] }),
  },
  'POST /sapi/v1/margin/order': {
    need: 'trade',
    handle: (p, key, ctx) =>
      newOrder(p, key, ctx, { extra: ['isIsolated', 'sideEffectType', 'autoRepayAtCancel'] }),
  },
  'POST /api/v3/orderList/oco': { need: 'trade', handle: orderListOco },
  'POST /api/v3/order/oco': { need: 'trade', handle: legacyOco },
  'POST /api/v3/order/cancelReplace': { need: 'trade', handle: cancelReplace },
  'PUT /api/v3/order/amend/keepPriority': { need: 'trade', handle: amendKeepPriority },
  'POST /sapi/v1/convert/getQuote': { need: 'trade', handle: convertQuote },
  'POST /sapi/v1/convert/acceptQuote': { need: 'trade', handle: convertAccept },
  'GET /api/v3/order': {
    need: 'read',
    handle(p, key, ctx) {
      // Binance looks the order up within `symbol`: an id of another symbol's order does not exist.
      const o = ctx.engine.order(key.account, ref(p));
      const m = marketById(ctx.engine, getParam(p, 'symbol'));
      return o && m?.symbol === o.symbol ? json(200, orderJson(o)) : err(400, -2013, 'Order does not exist.');
    },
  },
  'DELETE /api/v3/order': {
    need: 'trade',
    reads: ['symbol', 'orderId', 'origClientOrderId', 'newClientOrderId', 'cancelRestrictions'],
    handle(p, key, ctx) {
      const r = ctx.engine.cancelOrder(key.account, ref(p));
      return r.ok
        ? json(200, { ...orderJson(r.value), origClientOrderId: r.value.clientOrderId })
        : engineError(r.error, true);
    },
  },
  'DELETE /api/v3/openOrders': {
    need: 'trade',
    handle(p, key, ctx) {
      const m = marketById(ctx.engine, getParam(p, 'symbol'));
      if (!m) return err(400, -1121, 'Invalid symbol.');
      const out = [];
      for (const o of ctx.engine.openOrders(key.account, m.symbol)) {
        const r = ctx.engine.cancelOrder(key.account, { id: o.id });
        if (r.ok) out.push(orderJson(r.value));
      }
      return json(200, out);
    },
  },
  'GET /api/v3/openOrders': {
    need: 'read',
    handle(p, key, ctx) {
      const id = getParam(p, 'symbol');
      const m = marketById(ctx.engine, id);
      if (id !== undefined && !m) return err(400, -1121, 'Invalid symbol.');
      return json(200, ctx.engine.openOrders(key.account, m?.symbol).map(orderJson));
    },
  },
  'GET /api/v3/allOrders': {
    need: 'read',
    handle(p, key, ctx) {
      const m = marketById(ctx.engine, getParam(p, 'symbol'));
      if (!m) return err(400, -1121, 'Invalid symbol.');
      const all = [
        ...ctx.engine.openOrders(key.account, m.symbol),
        ...ctx.engine.closedOrders(key.account, m.symbol),
      ];
      return json(200, all.sort((a, b) => Number(a.id) - Number(b.id)).map(orderJson));
    },
  },
  'GET /api/v3/myTrades': {
    need: 'read',
    handle(p, key, ctx) {
      const m = marketById(ctx.engine, getParam(p, 'symbol'));
      if (!m) return err(400, -1121, 'Invalid symbol.');
      return json(200, ctx.engine.trades(key.account, m.symbol).map(tradeJson));
    },
  },
  'POST /sapi/v1/capital/withdraw/apply': {
    need: 'withdraw',
    reads: [
      'coin',
      'address',
      'amount',
      'network',
      'addressTag',
      'withdrawOrderId',
      'transactionFeeFlag',
      'name',
      'walletType',
    ],
    handle(p, key, ctx) {
      const coin = getParam(p, 'coin');
      const address = getParam(p, 'address');
      const amount = toNumber(getParam(p, 'amount'));
      if (!coin || !address || amount === undefined) {
        return err(400, -1102, 'Mandatory parameter was not sent, was empty/null, or malformed.');
      }
      const network = getParam(p, 'network');
      const tag = getParam(p, 'addressTag');
      const r = ctx.engine.withdraw({
        account: key.account,
        coin: coin.toUpperCase(),
        amount,
        address,
        ...(network ? { network } : {}),
        ...(tag ? { tag } : {}),
      });
      if (!r.ok) {
        return r.error.code === 'insufficient_balance'
          ? err(400, -4026, 'User has insufficient balance')
          : err(400, -1102, r.error.message);
      }
      return json(200, { id: r.value.id });
    },
  },
  'GET /sapi/v1/capital/withdraw/history': {
    need: 'read',
    handle(_p, key, ctx) {
      return json(
        200,
        ctx.engine.withdrawals(key.account).map((w) => ({
          id: w.id,
          amount: fmt(w.amount),
          transactionFee: '0',
          coin: w.coin,
          status: 6,
          address: w.address,
          addressTag: w.tag ?? '',
          txId: `sandbox-${w.id}`,
          applyTime: new Date(w.at).toISOString().replace('T', ' ').slice(0, 19),
          network: w.network ?? w.coin,
          transferType: 0,
          completeTime: new Date(w.at).toISOString().replace('T', ' ').slice(0, 19),
        })),
      );
    },
  },
};

function ref(p: Params): { id?: string; clientOrderId?: string } {
  const id = getParam(p, 'orderId');
  const clientOrderId = getParam(p, 'origClientOrderId');
  return { ...(id !== undefined ? { id } : {}), ...(clientOrderId !== undefined ? { clientOrderId } : {}) };
}

export function apiRestrictions(permissions: SandboxPermissions, ipAllow: string[] | undefined) {
  return {
    ipRestrict: ipAllow !== undefined,
    createTime: 1700000000000,
    enableReading: permissions.read,
    enableWithdrawals: permissions.withdraw,
    enableInternalTransfer: permissions.transfer,
    enableMargin: false,
    enableFutures: false,
    permitsUniversalTransfer: permissions.transfer,
    enableVanillaOptions: false,
    enableFixApiTrade: false,
    enableFixReadOnly: false,
    enableSpotAndMarginTrading: permissions.trade,
    enablePortfolioMarginTrading: false,
  };
}

/** A flat market: every 24h statistic at the current price, book at the price too. */
function ticker24h(m: Market, now: number) {
  const p = fmt(m.price);
  return {
    symbol: binanceMarketId(m.symbol),
    priceChange: fmt(0),
    priceChangePercent: '0.000',
    weightedAvgPrice: p,
    prevClosePrice: p,
    lastPrice: p,
    lastQty: fmt(1),
    bidPrice: p,
    bidQty: fmt(1),
    askPrice: p,
    askQty: fmt(1),
    openPrice: p,
    highPrice: p,
    lowPrice: p,
    volume: fmt(1000),
    quoteVolume: fmt(1000 * m.price),
    openTime: now - 86_400_000,
    closeTime: now,
    firstId: 0,
    lastId: 0,
    count: 0,
  };
}

function publicRoute(
  request: SandboxRequest,
  params: Params,
  ctx: SandboxContext,
): ExchangeResponse | undefined {
  if (request.method !== 'GET') return undefined;
  const now = ctx.clock.now();
  switch (request.path) {
    case '/api/v3/ping':
      return json(200, {});
    case '/api/v3/time':
      return json(200, { serverTime: now });
    case '/sapi/v1/system/status':
      return json(200, { status: 0, msg: 'normal' });
    case '/api/v3/exchangeInfo':
      return json(200, exchangeInfo(ctx, now));
    case '/api/v3/ticker/24hr':
    case '/api/v3/ticker/bookTicker': {
      const id = getParam(params, 'symbol');
      const markets = id === undefined ? ctx.engine.markets() : [marketById(ctx.engine, id)];
      if (markets.some((m) => m === undefined)) return err(400, -1121, 'Invalid symbol.');
      const rows = markets.flatMap((m) => (m ? [ticker24h(m, now)] : []));
      return json(200, id === undefined ? rows : rows[0]);
    }
    case '/api/v3/ticker/price': {
      const id = getParam(params, 'symbol');
      if (id === undefined) {
        return json(
          200,
          ctx.engine.markets().map((m) => ({ symbol: binanceMarketId(m.symbol), price: fmt(m.price) })),
        );
      }
      const m = marketById(ctx.engine, id);
      return m
        ? json(200, { symbol: binanceMarketId(m.symbol), price: fmt(m.price) })
        : err(400, -1121, 'Invalid symbol.');
    }
    default:
      return undefined;
  }
}

function allowed(need: Need, p: SandboxPermissions): boolean {
  return need === 'none' || p[need];
}

function issueHmacKey(): IssuedKey {
  const secret = randomToken(64);
  return { credential: { apiKey: randomToken(64), secret }, verifySecret: secret };
}

/** An Ed25519 key as Binance issues them: the user keeps the private PEM, the exchange the public one. */
function generateEd25519Key(): SandboxKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const issued = {
    credential: {
      apiKey: randomToken(64),
      secret: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
    verifySecret: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  return sandboxKey('binance', 'ed25519', issued, {
    read: true,
    trade: true,
    withdraw: false,
    transfer: false,
  });
}

const unlimited: SandboxEmulator = {
  exchange: 'binance',
  ws: binanceWsEmulator,

  generateKeys() {
    return [...seedKeys('binance', issueHmacKey), generateEd25519Key()];
  },

  handle(request, ctx) {
    const parsed = binanceParams(request);
    if (!parsed.ok) {
      return parsed.message.startsWith('duplicated')
        ? err(400, -1101, 'Duplicate values for a parameter detected.')
        : err(400, -1100, 'Illegal characters found in a parameter.');
    }
    const pub = publicRoute(request, parsed.params, ctx);
    if (pub) return pub;
    const route = ROUTES[`${request.method} ${request.path}`];
    if (!route) return err(404, -1000, 'Unknown endpoint.');
    const apiKey = headerValue(request.headers, 'x-mbx-apikey');
    if (!apiKey) return err(401, -2014, 'API-key format invalid.');
    const key = ctx.keyById(apiKey);
    if (!key) return err(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    if (ipRefused(key, request)) {
      return err(
        401,
        -2015,
        `Invalid API-key, IP, or permissions for action, request ip: ${request.sourceIp}`,
      );
    }
    const verdict = verifyWithKey(binance, request, key, ctx);
    if (!verdict.ok) {
      switch (verdict.reason) {
        case 'bad_signature':
          return err(400, -1022, 'Signature for this request is not valid.');
        case 'stale_timestamp':
          return err(400, -1021, verdict.message);
        case 'missing_credentials':
          return err(401, -2015, 'Invalid API-key, IP, or permissions for action.');
        default:
          return verdict.message.startsWith('recvWindow')
            ? err(400, -1131, verdict.message)
            : err(400, -1102, verdict.message);
      }
    }
    if (!allowed(route.need, key.permissions)) {
      // Wallet (SAPI) endpoints answer -1002 for a missing permission; spot endpoints -2015.
      return request.path.startsWith('/sapi/')
        ? err(401, -1002, 'You are not authorized to execute this request.')
        : err(401, -2015, 'Invalid API-key, IP, or permissions for action.');
    }
    if (route.reads) {
      const read = new Set([...route.reads, 'timestamp', 'recvWindow', 'signature']);
      const n = parsed.params.filter(([k]) => read.has(k)).length;
      if (n < parsed.params.length)
        return err(
          400,
          -1104,
          `Not all sent parameters were read; read '${n}' parameter(s) but was sent '${parsed.params.length}'.`,
        );
    }
    runStops(ctx.engine);
    return route.handle(parsed.params, key, ctx);
  },
};

/** The emulator with Binance's request-weight limit in front (./binance-limits.ts). */
export const binanceEmulator: SandboxEmulator = {
  ...unlimited,
  handle: (request, ctx) => binanceWeightLimited(request, ctx, unlimited.handle),
};
