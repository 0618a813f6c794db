/** Coinbase request parsing: a strict query (documented list names may repeat) and a JSON body. */
import type { ExchangeRequest, ParseResult } from '../adapter.js';
import { parseParams } from '../params.js';
import { isRecord } from '../strict-json.js';
import { bodyOf } from './classify.js';

/**
 * Query names Coinbase documents as lists, sent repeated (`product_ids=A&product_ids=B`, as
 * CCXT's fetchTickers does). Every value is used, so repeating them is not ambiguous; any other
 * repeated name still is and is rejected.
 */
const LIST_PARAMS = new Set([
  'product_ids',
  'order_ids',
  'order_status',
  'order_types',
  'trade_ids',
  'asset_filters',
]);

function checkQuery(query: string): { ok: true } | { ok: false; message: string } {
  const single: string[] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    let name: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      return { ok: false, message: `malformed percent-encoding in parameter "${rawName.slice(0, 40)}"` };
    }
    if (!LIST_PARAMS.has(name)) single.push(part);
    else {
      const checked = parseParams(part);
      if (!checked.ok) return checked;
    }
  }
  return parseParams(single.join('&'));
}

export function parseCoinbase(request: ExchangeRequest): ParseResult {
  const q = checkQuery(request.query);
  if (!q.ok) return { ok: false, message: q.message };
  const body = bodyOf(request);
  if (!body.ok) return { ok: false, message: body.message };
  if (request.body.trim() !== '' && !isRecord(body.value) && !Array.isArray(body.value)) {
    return { ok: false, message: 'JSON body must be an object' };
  }
  return { ok: true, request };
}
