/**
 * OKX v5 authentication (exchanges.md §4): OK-ACCESS-KEY / -PASSPHRASE / -TIMESTAMP (ISO-8601
 * ms UTC) / -SIGN = base64(HMAC-SHA256(secret, ts + METHOD + path[?query] + body)). The host is
 * not signed.
 */
import { createHmac } from 'node:crypto';
import { randomToken, safeEqual } from '../../core/index.js';
import {
  type ClientVerifier,
  type Credential,
  CredentialError,
  type ExchangeRequest,
  type IssuedClientCredential,
  type SignContext,
  type VerifyContext,
  type VerifyResult,
} from '../adapter.js';
import { hasSpaceOrControl, headerValue, withoutHeaders } from '../http-text.js';

export const OKX_AUTH_HEADERS = [
  'ok-access-key',
  'ok-access-sign',
  'ok-access-timestamp',
  'ok-access-passphrase',
];
/** OKX rejects requests whose timestamp is more than 30 s from server time (50102). */
export const OKX_TIMESTAMP_TOLERANCE_MS = 30_000;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function okxSignature(prehash: string, secret: string): string {
  return createHmac('sha256', secret).update(prehash).digest('base64');
}

/** What OKX signs: the path plus `?query` only when a query was sent. */
export function okxPrehash(timestamp: string, request: ExchangeRequest): string {
  const target = request.query === '' ? request.path : `${request.path}?${request.query}`;
  return `${timestamp}${request.method.toUpperCase()}${target}${request.body}`;
}

/** Why a client request failed OKX auth, with OKX's own code (HTTP 401 for all of them). */
export interface OkxAuthFailure {
  code: string;
  msg: string;
  result: Extract<VerifyResult, { ok: false }>;
}

const fail = (code: string, msg: string, reason: OkxAuthFailure['result']['reason']): OkxAuthFailure => ({
  code,
  msg,
  result: { ok: false, reason, message: `${code} ${msg}` },
});

/**
 * Header presence and timestamp checks in the order OKX reports them; then passphrase and signature.
 * Shared by the gateway (client verification) and the sandbox (emulated exchange).
 */
export function okxVerify(
  request: ExchangeRequest,
  secret: string,
  passphrase: string | undefined,
  now: number,
): OkxAuthFailure | undefined {
  const h = (n: string) => headerValue(request.headers, n);
  const key = h('ok-access-key');
  const sign = h('ok-access-sign');
  const ts = h('ok-access-timestamp');
  const pass = h('ok-access-passphrase');
  if (!key) return fail('50103', 'Request header "OK-ACCESS-KEY" cannot be empty.', 'missing_credentials');
  if (!sign) return fail('50106', 'Request header "OK-ACCESS-SIGN" cannot be empty.', 'missing_credentials');
  if (!ts)
    return fail('50107', 'Request header "OK-ACCESS-TIMESTAMP" cannot be empty.', 'missing_credentials');
  if (!pass)
    return fail('50104', 'Request header "OK-ACCESS-PASSPHRASE" cannot be empty.', 'missing_credentials');
  const at = Date.parse(ts);
  if (!ISO_MS.test(ts) || !Number.isFinite(at))
    return fail('50112', 'Invalid OK-ACCESS-TIMESTAMP', 'malformed');
  if (Math.abs(now - at) > OKX_TIMESTAMP_TOLERANCE_MS)
    return fail('50102', 'Timestamp request expired', 'stale_timestamp');
  if (passphrase === undefined || !safeEqual(pass, passphrase)) {
    return fail('50105', 'Request header "OK-ACCESS-PASSPHRASE" incorrect.', 'bad_passphrase');
  }
  if (!safeEqual(sign, okxSignature(okxPrehash(ts, request), secret))) {
    return fail('50113', 'Invalid Sign', 'bad_signature');
  }
  return undefined;
}

export function validateOkxCredential(credential: Credential): void {
  if (!credential.apiKey) throw new CredentialError('okx credential needs apiKey');
  if (!credential.secret) throw new CredentialError('okx credential needs secret');
  if (hasSpaceOrControl(credential.apiKey) || hasSpaceOrControl(credential.secret)) {
    throw new CredentialError('okx apiKey and secret must not contain spaces or control characters');
  }
  if (!credential.password) throw new CredentialError('okx credential needs password (the API passphrase)');
}

export function okxClientKeyId(request: ExchangeRequest): string | undefined {
  return headerValue(request.headers, 'ok-access-key') || undefined;
}

export function verifyOkxClient(
  request: ExchangeRequest,
  verifier: ClientVerifier,
  ctx: VerifyContext,
): VerifyResult {
  const failure = okxVerify(request, verifier.secret, verifier.password, ctx.clock.now());
  if (failure) return failure.result;
  if (!safeEqual(headerValue(request.headers, 'ok-access-key') ?? '', verifier.apiKey)) {
    return { ok: false, reason: 'bad_signature', message: '50111 Invalid OK-ACCESS-KEY' };
  }
  const now = ctx.clock.now();
  // OKX accepts a signature until its timestamp is 30 s old: a replay is refused that long.
  let windowMs =
    Date.parse(headerValue(request.headers, 'ok-access-timestamp') ?? '') + OKX_TIMESTAMP_TOLERANCE_MS - now;
  const expTime = headerValue(request.headers, 'exptime');
  if (expTime !== undefined) {
    // The optional order deadline: OKX refuses the request after it; the header is not forwarded, so keywarden does.
    if (!/^\d{13}$/.test(expTime))
      return { ok: false, reason: 'malformed', message: '51000 Parameter expTime error' };
    if (Number(expTime) <= now)
      return {
        ok: false,
        reason: 'stale_timestamp',
        message: '50102 Request expired (expTime has passed)',
      };
  }
  windowMs = Math.min(Math.max(windowMs, 1), 2 * OKX_TIMESTAMP_TOLERANCE_MS) + 1_000;
  return {
    ok: true,
    replayKey: headerValue(request.headers, 'ok-access-sign') ?? '',
    replayWindowMs: windowMs,
  };
}

export function stripOkxAuth(request: ExchangeRequest): ExchangeRequest {
  return { ...request, headers: withoutHeaders(request.headers, OKX_AUTH_HEADERS) };
}

export function signOkx(request: ExchangeRequest, credential: Credential, ctx: SignContext): ExchangeRequest {
  const headers = withoutHeaders(request.headers, [...OKX_AUTH_HEADERS, 'content-type']);
  const timestamp = new Date(ctx.clock.now()).toISOString();
  const method = request.method.toUpperCase();
  headers['OK-ACCESS-KEY'] = credential.apiKey;
  headers['OK-ACCESS-PASSPHRASE'] = credential.password ?? '';
  headers['OK-ACCESS-TIMESTAMP'] = timestamp;
  if (method !== 'GET') headers['Content-Type'] = 'application/json';
  const signed = { ...request, method, headers };
  headers['OK-ACCESS-SIGN'] = okxSignature(okxPrehash(timestamp, signed), credential.secret);
  return signed;
}

export function issueOkxClientCredential(): IssuedClientCredential {
  const credential = {
    apiKey: `kw_${randomToken(32)}`,
    secret: randomToken(40),
    password: randomToken(24),
  };
  return {
    credential,
    verifier: { apiKey: credential.apiKey, secret: credential.secret, password: credential.password },
  };
}
