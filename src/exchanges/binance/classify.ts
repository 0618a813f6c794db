/** What a Binance request does: its endpoint's action, checked by the endpoint's strict schema. */
import type { Classification, ExchangeRequest } from '../adapter.js';
import { num, paramsObject } from '../request-schema.js';
import { withdrawalIntent } from '../withdrawal-intent.js';
import { type Action, baseAction } from './endpoints.js';
import { binanceParams } from './parse.js';
import { checkRequest } from './schemas.js';

/** Actions whose endpoints Binance executes: only what has a strict schema is forwarded. */
const STRICT_ACTIONS = new Set<Action>(['trade', 'cancel', 'withdraw', 'transfer', 'margin', 'convert']);

export function classifyBinance(request: ExchangeRequest): Classification {
  const method = request.method.toUpperCase();
  const path = request.path.replace(/\/+$/, '') || '/';
  const endpoint = `${method} ${path}`;
  const action = baseAction(method, path);
  const out: Classification = { action, endpoint, orders: [] };
  const p = binanceParams(request);
  if (!p.ok) {
    out.rejected = p.message;
    return out;
  }
  // Binance reads GET parameters from the query string only: a body would be checked, never read.
  if (method === 'GET' && request.body !== '') {
    out.rejected = `${endpoint}: a GET request takes no body`;
    return out;
  }
  if (action === 'unknown') return out;
  const checked = checkRequest(endpoint, paramsObject(p.params), STRICT_ACTIONS.has(action));
  if (!checked.ok) {
    out.rejected = checked.message;
    return out;
  }
  out.orders = checked.orders;
  if (checked.leverage !== undefined) out.leverage = checked.leverage;
  const v = checked.withdrawal;
  if (v && action === 'withdraw') {
    out.withdrawal = withdrawalIntent({
      coin: v.coin,
      amount: num(v.amount),
      address: v.address,
      network: v.network,
      tag: v.addressTag,
    });
  } else if (v && action === 'transfer') {
    out.withdrawal = withdrawalIntent({
      coin: v.asset,
      amount: num(v.amount),
      address: v.toEmail ?? v.type ?? v.toAccountType ?? v.transTo,
    });
  }
  return out;
}
