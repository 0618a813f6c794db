/**
 * CCXT as a signing oracle: its own `sign()` of one implicit-API call with the clock pinned, and
 * that wire request seen the way keywarden sees a bot's request.
 */
import type { Exchange } from 'ccxt';
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';

export interface CcxtSigned {
  url: string;
  method: string;
  body?: string;
  headers: Record<string, string>;
}

/**
 * CCXT's signing of `method path` on `api` at `ts`. One instance serves many calls (constructing
 * CCXT exchanges is slow): credentials and clocks are plain fields, set anew on every call.
 */
export function ccxtSignAt(
  ex: Exchange,
  cred: Credential,
  ts: number,
  call: { path: string; api: string | string[]; method: string; params: unknown },
): CcxtSigned {
  ex.apiKey = cred.apiKey;
  ex.secret = cred.secret;
  if (cred.password !== undefined) ex.password = cred.password;
  ex.nonce = () => ts;
  ex.milliseconds = () => ts;
  // Coinbase's JWT reads seconds() from the real clock, not from milliseconds().
  ex.seconds = () => Math.floor(ts / 1000);
  // Batch endpoints take arrays; CCXT's typing says Dict but its sign() handles both.
  const params = structuredClone(call.params) as Record<string, unknown>;
  return ex.sign(call.path, call.api, call.method, params) as CcxtSigned;
}

/** What a bot's request looks like to keywarden: CCXT's wire request relative to `base`. */
export function asRequest(base: string, signed: CcxtSigned): ExchangeRequest {
  const rel = signed.url.slice(base.length);
  const q = rel.indexOf('?');
  return {
    method: signed.method,
    path: q === -1 ? rel : rel.slice(0, q),
    query: q === -1 ? '' : rel.slice(q + 1),
    headers: { ...signed.headers },
    body: signed.body ?? '',
  };
}
