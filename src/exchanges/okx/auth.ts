/**
 * OKX v5 authentication (exchanges.md §4): OK-ACCESS-KEY / -PASSPHRASE / -TIMESTAMP (ISO-8601
 * ms UTC) / -SIGN = base64(HMAC-SHA256(secret, ts + METHOD + path[?query] + body)). The host is
 * not signed.
 */
import { randomToken } from '../../core/index.js';
import type {
  ClientVerifier,
  Credential,
  ExchangeRequest,
  SignContext,
  VerifyContext,
  VerifyResult,
} from '../adapter.js';
import { headerValue, withoutHeaders } from '../http-text.js';
import {
  headerAuthFailure as fail,
  hmacSha256Base64,
  passphraseAuth,
  timestampedPrehash,
} from '../passphrase-auth.js';
import { issueSharedSecretCredential, requireKeyAndSecret, requirePassphrase } from '../shared-secret.js';

/** In the order OKX reports a missing one. */
export const OKX_AUTH_HEADERS = [
  'ok-access-key',
  'ok-access-sign',
  'ok-access-timestamp',
  'ok-access-passphrase',
] as const;
/** OKX rejects requests whose timestamp is more than 30 s from server time (50102). */
export const OKX_TIMESTAMP_TOLERANCE_MS = 30_000;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function okxSignature(prehash: string, secret: string): string {
  return hmacSha256Base64(secret, prehash);
}

/** What OKX signs: the path plus `?query` only when a query was sent. */
export const okxPrehash = timestampedPrehash;

const missing = (code: string, header: string) =>
  fail(code, `Request header "${header.toUpperCase()}" cannot be empty.`, 'missing_credentials');

/** OKX's codes for its checks (HTTP 401 for all of them), in the order it reports them. */
const OKX_AUTH = passphraseAuth({
  headers: OKX_AUTH_HEADERS,
  missing: [
    missing('50103', 'ok-access-key'),
    missing('50106', 'ok-access-sign'),
    missing('50107', 'ok-access-timestamp'),
    missing('50104', 'ok-access-passphrase'),
  ],
  timestampMs(text) {
    const at = Date.parse(text);
    return ISO_MS.test(text) && Number.isFinite(at) ? at : undefined;
  },
  toleranceMs: OKX_TIMESTAMP_TOLERANCE_MS,
  malformedTimestamp: fail('50112', 'Invalid OK-ACCESS-TIMESTAMP', 'malformed'),
  staleTimestamp: fail('50102', 'Timestamp request expired', 'stale_timestamp'),
  badPassphrase: fail('50105', 'Request header "OK-ACCESS-PASSPHRASE" incorrect.', 'bad_passphrase'),
  badSignature: fail('50113', 'Invalid Sign', 'bad_signature'),
  unknownKey: fail('50111', 'Invalid OK-ACCESS-KEY', 'bad_signature'),
});

/**
 * Header presence and timestamp checks in the order OKX reports them; then passphrase and signature.
 * Shared by the gateway (client verification) and the sandbox (emulated exchange).
 */
export const okxVerify = OKX_AUTH.verify;

export function validateOkxCredential(credential: Credential): void {
  requireKeyAndSecret('okx', credential);
  requirePassphrase('okx', credential);
}

export function okxClientKeyId(request: ExchangeRequest): string | undefined {
  return headerValue(request.headers, 'ok-access-key') || undefined;
}

export function verifyOkxClient(
  request: ExchangeRequest,
  verifier: ClientVerifier,
  ctx: VerifyContext,
): VerifyResult {
  const now = ctx.clock.now();
  const verified = OKX_AUTH.verifyClient(request, verifier, now);
  if (!verified.ok) return verified;
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
  return verified;
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
  headers['OK-ACCESS-SIGN'] = OKX_AUTH.signature(timestamp, signed, credential.secret);
  return signed;
}

export const issueOkxClientCredential = () => issueSharedSecretCredential(32, randomToken(40), 24);
