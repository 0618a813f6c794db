/**
 * The signed-header scheme OKX introduced and others copied: an API key, a timestamp, a
 * passphrase and base64(HMAC-SHA256(secret, timestamp + METHOD + path[?query] + body)) in four
 * headers. The checks and their order are the same everywhere; what differs (header names, the
 * timestamp's form, the tolerance, the codes answered) is the exchange's `PassphraseScheme`.
 * Shared by the gateway (a bot's own signature) and the sandbox (the emulated exchange).
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../core/index.js';
import type { ClientVerifier, ExchangeRequest, VerifyResult } from './adapter.js';
import { headerValue } from './http-text.js';

/** Why a request failed an exchange's header auth, with the exchange's own code and message. */
export interface HeaderAuthFailure {
  code: string;
  msg: string;
  result: Extract<VerifyResult, { ok: false }>;
}

export function headerAuthFailure(
  code: string,
  msg: string,
  reason: HeaderAuthFailure['result']['reason'],
): HeaderAuthFailure {
  return { code, msg, result: { ok: false, reason, message: `${code} ${msg}` } };
}

export function hmacSha256Base64(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64');
}

/** What is signed: the timestamp, the method, the path plus `?query` only when one was sent, the body. */
export function timestampedPrehash(timestamp: string, request: ExchangeRequest): string {
  const target = request.query === '' ? request.path : `${request.path}?${request.query}`;
  return `${timestamp}${request.method.toUpperCase()}${target}${request.body}`;
}

export type HeaderReader = (name: string) => string | undefined;

export interface PassphraseScheme {
  /** Header names (lower case) in the order a missing one is reported: key, sign, timestamp, passphrase. */
  headers: readonly [key: string, sign: string, timestamp: string, passphrase: string];
  /** The answer to a missing or empty header, by its place in `headers`. */
  missing: readonly [HeaderAuthFailure, HeaderAuthFailure, HeaderAuthFailure, HeaderAuthFailure];
  /** Epoch milliseconds of a well-formed timestamp header; undefined when malformed. */
  timestampMs(text: string): number | undefined;
  /** How far from the exchange's clock a timestamp may be, either way. */
  toleranceMs: number;
  malformedTimestamp: HeaderAuthFailure;
  staleTimestamp: HeaderAuthFailure;
  /**
   * The passphrase header a key holding `passphrase` sends, or a failure reported before the
   * passphrase is compared. Without it the header is the passphrase itself.
   */
  passphraseHeader?(
    h: HeaderReader,
    secret: string,
    passphrase: string | undefined,
  ): string | undefined | HeaderAuthFailure;
  badPassphrase: HeaderAuthFailure;
  badSignature: HeaderAuthFailure;
  /** A valid signature by a key other than the client's (the gateway's check, after the exchange's). */
  unknownKey: HeaderAuthFailure;
}

/** One exchange's scheme, ready to check and to sign. */
export interface PassphraseAuth {
  /** Header presence, timestamp, passphrase and signature, in that order; undefined when all pass. */
  verify(
    request: ExchangeRequest,
    secret: string,
    passphrase: string | undefined,
    now: number,
  ): HeaderAuthFailure | undefined;
  /**
   * The gateway's check of a bot's own signature: the exchange's checks, then the client's key.
   * The exchange accepts a signature while its timestamp is fresh, so a replay is refused that long.
   */
  verifyClient(request: ExchangeRequest, verifier: ClientVerifier, now: number): VerifyResult;
  /** The sign header's value for `request` stamped with `timestamp`. */
  signature(timestamp: string, request: ExchangeRequest, secret: string): string;
}

export function passphraseAuth(scheme: PassphraseScheme): PassphraseAuth {
  const signature = (timestamp: string, request: ExchangeRequest, secret: string) =>
    hmacSha256Base64(secret, timestampedPrehash(timestamp, request));

  const verify: PassphraseAuth['verify'] = (request, secret, passphrase, now) => {
    const h: HeaderReader = (n) => headerValue(request.headers, n);
    const [, sign, ts, pass] = scheme.headers.map(h);
    const absent = scheme.headers.findIndex((n) => !h(n));
    if (absent !== -1 || !sign || !ts || !pass) return scheme.missing[absent] ?? scheme.missing[0];
    const at = scheme.timestampMs(ts);
    if (at === undefined) return scheme.malformedTimestamp;
    if (Math.abs(now - at) > scheme.toleranceMs) return scheme.staleTimestamp;
    const expected = scheme.passphraseHeader ? scheme.passphraseHeader(h, secret, passphrase) : passphrase;
    if (typeof expected === 'object') return expected;
    if (expected === undefined || !safeEqual(pass, expected)) return scheme.badPassphrase;
    if (!safeEqual(sign, signature(ts, request, secret))) return scheme.badSignature;
    return undefined;
  };

  const verifyClient: PassphraseAuth['verifyClient'] = (request, verifier, now) => {
    const failure = verify(request, verifier.secret, verifier.password, now);
    if (failure) return failure.result;
    const [key, sign, ts] = scheme.headers.map((n) => headerValue(request.headers, n) ?? '');
    if (!safeEqual(key ?? '', verifier.apiKey)) return scheme.unknownKey.result;
    const left = (scheme.timestampMs(ts ?? '') ?? now) + scheme.toleranceMs - now;
    return {
      ok: true,
      replayKey: sign ?? '',
      replayWindowMs: Math.min(Math.max(left, 1), 2 * scheme.toleranceMs) + 1_000,
    };
  };

  return { verify, verifyClient, signature };
}
