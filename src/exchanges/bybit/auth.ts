/**
 * Bybit v5 authentication (exchanges.md §5): X-BAPI-API-KEY / -TIMESTAMP (ms) / -RECV-WINDOW /
 * -SIGN = hex(HMAC-SHA256(secret, ts + apiKey + recvWindow + (query | body))). A request is
 * fresh when server − recvWindow ≤ ts < server + 1000.
 */
import { createHmac } from 'node:crypto';
import { randomToken, safeEqual } from '../../core/index.js';
import {
  type ClientVerifier,
  type Credential,
  CredentialError,
  type ExchangeRequest,
  type SignContext,
  type VerifyContext,
  type VerifyResult,
} from '../adapter.js';
import { headerValue, withoutHeaders } from '../http-text.js';
import { issueSharedSecretCredential, requireKeyAndSecret } from '../shared-secret.js';

export const BYBIT_AUTH_HEADERS = ['x-bapi-api-key', 'x-bapi-sign', 'x-bapi-timestamp', 'x-bapi-recv-window'];
const BYBIT_CREDENTIAL_HEADERS = ['x-bapi-api-key', 'x-bapi-sign', 'x-bapi-timestamp'];
export const BYBIT_DEFAULT_RECV_WINDOW = '5000';
/**
 * The largest recv window keywarden (and the sandbox) accepts. Bybit's guide documents only the
 * 5,000 ms default and the freshness rule; 60,000 ms is the ceiling the other exchanges document
 * (Binance) and what bots use at most (UNCONFIRMED as Bybit's own maximum, exchanges.md §5.2).
 * A larger window would let a captured request be replayed for as long as it says.
 */
export const BYBIT_MAX_RECV_WINDOW = 60_000;

export function bybitSignature(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** GET signs the query string as sent; everything else the body bytes. */
export function bybitPayload(
  timestamp: string,
  apiKey: string,
  recvWindow: string,
  request: ExchangeRequest,
): string {
  const data = request.method.toUpperCase() === 'GET' ? request.query : request.body;
  return `${timestamp}${apiKey}${recvWindow}${data}`;
}

/**
 * What makes a signed request unique. Bybit's signature covers timestamp, key, recv window and
 * the query or body, not the path: CCXT's GETs with an empty query (query-api, account/info) in
 * one millisecond share a signature, so a GET's key adds its path. A body is signed for one use
 * on any path.
 */
export function bybitReplayKey(request: ExchangeRequest): string {
  const sign = (headerValue(request.headers, 'x-bapi-sign') ?? '').toLowerCase();
  return request.method.toUpperCase() === 'GET' ? `GET ${request.path} ${sign}` : sign;
}

export interface BybitAuthFailure {
  retCode: number;
  retMsg: string;
  result: Extract<VerifyResult, { ok: false }>;
}

const fail = (
  retCode: number,
  retMsg: string,
  reason: BybitAuthFailure['result']['reason'],
): BybitAuthFailure => ({
  retCode,
  retMsg,
  result: { ok: false, reason, message: `${retCode} ${retMsg}` },
});

/** Shared by the gateway (client verification) and the sandbox (emulated exchange). */
export function bybitVerify(
  request: ExchangeRequest,
  secret: string,
  now: number,
): BybitAuthFailure | undefined {
  const h = (n: string) => headerValue(request.headers, n);
  const key = h('x-bapi-api-key');
  const sign = h('x-bapi-sign');
  const ts = h('x-bapi-timestamp');
  const recv = h('x-bapi-recv-window') || BYBIT_DEFAULT_RECV_WINDOW;
  if (!key || !sign || !ts) return fail(10003, 'API key is invalid.', 'missing_credentials');
  if (!/^\d{1,16}$/.test(ts) || !/^\d{1,9}$/.test(recv)) {
    return fail(
      10002,
      'invalid request, please check your server timestamp or recv_window param',
      'malformed',
    );
  }
  const at = Number(ts);
  const window = Number(recv);
  if (window > BYBIT_MAX_RECV_WINDOW) {
    return fail(
      10002,
      `invalid request, please check your server timestamp or recv_window param. recv_window[${window}] exceeds ${BYBIT_MAX_RECV_WINDOW}`,
      'stale_timestamp',
    );
  }
  if (!(now - window <= at && at < now + 1000)) {
    return fail(
      10002,
      `invalid request, please check your server timestamp or recv_window param. req_timestamp[${at}],server_timestamp[${now}],recv_window[${window}]`,
      'stale_timestamp',
    );
  }
  if (!safeEqual(sign.toLowerCase(), bybitSignature(bybitPayload(ts, key, recv, request), secret))) {
    return fail(10004, 'Error sign, please check your signature generation algorithm.', 'bad_signature');
  }
  return undefined;
}

export function validateBybitCredential(credential: Credential): void {
  requireKeyAndSecret('bybit', credential);
  if (credential.secret.includes('PRIVATE KEY')) {
    throw new CredentialError(
      'bybit RSA (self-generated) keys are not supported; use a system-generated HMAC key',
    );
  }
}

export function bybitClientKeyId(request: ExchangeRequest): string | undefined {
  return headerValue(request.headers, 'x-bapi-api-key') || undefined;
}

export function verifyBybitClient(
  request: ExchangeRequest,
  verifier: ClientVerifier,
  ctx: VerifyContext,
): VerifyResult {
  const failure = bybitVerify(request, verifier.secret, ctx.clock.now());
  if (failure) return failure.result;
  const h = (name: string) => headerValue(request.headers, name) ?? '';
  if (!safeEqual(h('x-bapi-api-key'), verifier.apiKey)) {
    return { ok: false, reason: 'bad_signature', message: '10003 API key is invalid.' };
  }
  // The same signed bytes stay acceptable to Bybit from timestamp − 1000 ms to timestamp + recvWindow.
  const recvWindow = Number(h('x-bapi-recv-window') || BYBIT_DEFAULT_RECV_WINDOW);
  return { ok: true, replayKey: bybitReplayKey(request), replayWindowMs: recvWindow + 1000 };
}

export function stripBybitAuth(request: ExchangeRequest): ExchangeRequest {
  // The recv window is the bot's freshness choice, not a credential: it stays for sign() to reuse.
  return { ...request, headers: withoutHeaders(request.headers, BYBIT_CREDENTIAL_HEADERS) };
}

export function signBybit(
  request: ExchangeRequest,
  credential: Credential,
  ctx: SignContext,
): ExchangeRequest {
  const recvWindow = headerValue(request.headers, 'x-bapi-recv-window') || BYBIT_DEFAULT_RECV_WINDOW;
  const headers = withoutHeaders(request.headers, [...BYBIT_AUTH_HEADERS, 'content-type']);
  const timestamp = String(ctx.clock.now());
  const signed = { ...request, method: request.method.toUpperCase(), headers };
  // Same header set and order as CCXT's v5 branch; X-BAPI-SIGN-TYPE and Referer pass through.
  const out: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-BAPI-API-KEY': credential.apiKey,
    'X-BAPI-TIMESTAMP': timestamp,
    'X-BAPI-RECV-WINDOW': recvWindow,
    'X-BAPI-SIGN': bybitSignature(
      bybitPayload(timestamp, credential.apiKey, recvWindow, signed),
      credential.secret,
    ),
    ...headers,
  };
  return { ...signed, headers: out };
}

export const issueBybitClientCredential = () => issueSharedSecretCredential(24, randomToken(40));
