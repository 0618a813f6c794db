/**
 * Emulated OKX v5: the same auth checks and error codes as okx.com (via the adapter's
 * okxVerify), key permissions (read / trade / withdraw) and IP allow-lists, and the
 * endpoints an unmodified CCXT client uses, answered in OKX's own shapes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ExchangeResponse } from '../exchanges/adapter.js';
import { headerValue } from '../exchanges/http-text.js';
import { okxError, okxInstId, okxSymbol, okxVerify } from '../exchanges/okx.js';
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
import { type IssuedKey, seedKeys } from './seed-keys.js';

/** Up to 10 decimals, never exponent notation (OKX sends decimal strings). */
export function decimal(n: number): string {
  if (!Number.isFinite(n)) return '0';
  return n.toFixed(10).replace(/\.?0+$/, '') || '0';
}

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

function orderShape(o: Order): Record<string, string> {
  const state = o.status === 'open' ? (o.filled > 0 ? 'partially_filled' : 'live') : o.status;
  return {
    instType: 'SPOT',
    instId: okxInstId(o.symbol),
    ordId: o.id,
    clOrdId: o.clientOrderId ?? '',
    tag: '',
    px: o.price === undefined ? '' : decimal(o.price),
    sz: decimal(o.quantity),
    ordType: o.type,
    side: o.side,
    tdMode: 'cash',
    tgtCcy: o.type === 'market' ? 'base_ccy' : '',
    accFillSz: decimal(o.filled),
    fillPx: o.averagePrice === undefined ? '' : decimal(o.averagePrice),
    avgPx: o.averagePrice === undefined ? '' : decimal(o.averagePrice),
    state,
    fee: '0',
    feeCcy: '',
    cTime: String(o.createdAt),
    uTime: String(o.updatedAt),
  };
}

function fillShape(t: Trade, clOrdId: string): Record<string, string> {
  return {
    instType: 'SPOT',
    instId: okxInstId(t.symbol),
    tradeId: t.id,
    ordId: t.orderId,
    clOrdId,
    billId: t.id,
    tag: '',
    fillPx: decimal(t.price),
    fillSz: decimal(t.quantity),
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
      if (instType !== 'SPOT') return ok([]);
      return ok(
        engine.markets().map((m) => ({
          instType: 'SPOT',
          instId: okxInstId(m.symbol),
          uly: '',
          instFamily: '',
          baseCcy: m.base,
          quoteCcy: m.quote,
          settleCcy: '',
          ctVal: '',
          ctMult: '',
          ctValCcy: '',
          listTime: '1600000000000',
          expTime: '',
          lever: '',
          tickSz: m.price < 1 ? '0.00001' : '0.01',
          lotSz: '0.00000001',
          minSz: '0.00001',
          maxLmtSz: '1000000000',
          maxMktSz: '1000000',
          ctType: '',
          state: 'live',
          ruleType: 'normal',
        })),
      );
    }
    case '/api/v5/market/ticker':
    case '/api/v5/market/tickers': {
      const instId = getParam(q, 'instId');
      const markets = engine.markets().filter((m) => instId === undefined || okxInstId(m.symbol) === instId);
      if (req.path === '/api/v5/market/ticker' && markets.length === 0) {
        return err('51001', "Instrument ID doesn't exist.", 400);
      }
      const ts = String(ctx.clock.now());
      return ok(
        markets.map((m) => ({
          instType: 'SPOT',
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
}

function placeOne(o: Record<string, unknown>, key: SandboxKey, ctx: SandboxContext): OrderResult {
  const clOrdId = textField(o, 'clOrdId') ?? '';
  const base = { ordId: '', clOrdId, tag: textField(o, 'tag') ?? '', ts: String(ctx.clock.now()) };
  const instId = textField(o, 'instId') ?? '';
  const symbol = okxSymbol(instId);
  const side = textField(o, 'side');
  const ordType = textField(o, 'ordType');
  const sz = toNumber(textField(o, 'sz'));
  const px = toNumber(textField(o, 'px'));
  if (!symbol || symbol.includes(':'))
    return { ...base, sCode: '51001', sMsg: "Instrument ID doesn't exist." };
  if (side !== 'buy' && side !== 'sell') return { ...base, sCode: '51000', sMsg: 'Parameter side error' };
  if (ordType !== 'limit' && ordType !== 'market')
    return { ...base, sCode: '51000', sMsg: 'Parameter ordType error' };
  if (sz === undefined) return { ...base, sCode: '51000', sMsg: 'Parameter sz error' };
  const tgtCcy = textField(o, 'tgtCcy') || (side === 'buy' ? 'quote_ccy' : 'base_ccy');
  const inQuote = ordType === 'market' && tgtCcy === 'quote_ccy';
  const placed = ctx.engine.placeOrder({
    account: key.account,
    symbol,
    side,
    type: ordType,
    ...(inQuote ? { quoteQuantity: sz } : { quantity: sz }),
    ...(px !== undefined && ordType === 'limit' ? { price: px } : {}),
    ...(clOrdId !== '' ? { clientOrderId: clOrdId } : {}),
  });
  if (!placed.ok) return { ...base, sCode: engineCode(placed.error), sMsg: placed.error.message };
  return { ...base, ordId: placed.value.id, sCode: '0', sMsg: 'Order placed' };
}

function cancelOne(o: Record<string, unknown>, key: SandboxKey, ctx: SandboxContext): OrderResult {
  const ordId = textField(o, 'ordId');
  const clOrdId = textField(o, 'clOrdId');
  const base = { ordId: ordId ?? '', clOrdId: clOrdId ?? '', tag: '', ts: String(ctx.clock.now()) };
  const canceled = ctx.engine.cancelOrder(key.account, {
    ...(ordId ? { id: ordId } : {}),
    ...(clOrdId ? { clientOrderId: clOrdId } : {}),
  });
  if (!canceled.ok)
    return { ...base, sCode: '51400', sMsg: 'Cancellation failed as the order does not exist.' };
  return {
    ...base,
    ordId: canceled.value.id,
    clOrdId: canceled.value.clientOrderId ?? '',
    sCode: '0',
    sMsg: '',
  };
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
    case 'POST /api/v5/trade/batch-orders': {
      if (items.length === 0) return err('50014', 'Parameter instId can not be empty', 400);
      return batchAnswer(items.map((o) => placeOne(o, key, ctx)));
    }
    case 'POST /api/v5/trade/cancel-order':
    case 'POST /api/v5/trade/cancel-batch-orders': {
      if (items.length === 0) return err('50014', 'Parameter instId can not be empty', 400);
      return batchAnswer(items.map((o) => cancelOne(o, key, ctx)));
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
      return ok(page.map(orderShape));
    }
    case 'GET /api/v5/trade/order': {
      const ordId = getParam(q, 'ordId');
      const clOrdId = getParam(q, 'clOrdId');
      const order = engine.order(key.account, {
        ...(ordId ? { id: ordId } : {}),
        ...(clOrdId ? { clientOrderId: clOrdId } : {}),
      });
      if (!order) return err('51603', 'Order does not exist');
      return ok([orderShape(order)]);
    }
    case 'GET /api/v5/trade/fills':
    case 'GET /api/v5/trade/fills-history': {
      const instId = getParam(q, 'instId');
      const symbol = instId === undefined ? undefined : okxSymbol(instId);
      const fills = engine.trades(key.account, symbol).map((t) => {
        const order = engine.order(key.account, { id: t.orderId });
        return fillShape(t, order?.clientOrderId ?? '');
      });
      return ok(fills.reverse());
    }
    case 'POST /api/v5/asset/withdrawal': {
      const o = items[0] ?? {};
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
  const q = parseParams(req.query);
  if (!q.ok) return err('50014', q.message, 400);
  let body: unknown;
  if (req.body !== '') {
    const parsed = parseStrictJson(req.body);
    if (!parsed.ok) return err('50002', 'Json data format error', 400);
    body = parsed.value;
  }
  const pub = publicRoute(req, ctx, q.params);
  if (pub) return pub;
  if (!req.path.startsWith('/api/v5/')) return err('50115', 'Invalid request method or endpoint', 404);

  const apiKey = headerValue(req.headers, 'ok-access-key');
  if (!apiKey) return err('50103', 'Request header "OK-ACCESS-KEY" cannot be empty.', 401);
  const key = ctx.keyById(apiKey);
  if (!key) return err('50111', 'Invalid OK-ACCESS-KEY', 401);
  const failure = okxVerify(req, key.verifySecret, key.credential.password, ctx.clock.now());
  if (failure) return err(failure.code, failure.msg, 401);
  if (ipRefused(key, req)) {
    return err('50110', `Your IP ${req.sourceIp} is not included in your API key's IP whitelist.`, 401);
  }
  const need = needs(req.path, req.method);
  if (!key.permissions[need]) {
    return err('50120', "API key doesn't have permission to use this function", 401);
  }
  return privateRoute(req, key, ctx, q.params, body);
}

function issueKey(): IssuedKey {
  const secret = randomBytes(16).toString('hex').toUpperCase();
  return { credential: { apiKey: randomUUID(), secret, password: randomToken(16) }, verifySecret: secret };
}

export const okxEmulator: SandboxEmulator = {
  exchange: 'okx',
  generateKeys() {
    return seedKeys('okx', issueKey);
  },
  handle,
};
