/** The gateway's check of a bot's own KuCoin signature (the sandbox checks keys with the same code). */
import { safeEqual } from '../../core/index.js';
import type { ClientVerifier, ExchangeRequest, VerifyContext, VerifyResult } from '../adapter.js';
import { headerValue } from '../http-text.js';
import { KUCOIN_TIMESTAMP_TOLERANCE_MS, kucoinVerify } from './auth.js';

export function kucoinVerifyClient(
  request: ExchangeRequest,
  verifier: ClientVerifier,
  ctx: VerifyContext,
): VerifyResult {
  const now = ctx.clock.now();
  const failure = kucoinVerify(request, verifier.secret, verifier.password, now);
  if (failure) return failure.result;
  if (!safeEqual(headerValue(request.headers, 'kc-api-key') ?? '', verifier.apiKey)) {
    return { ok: false, reason: 'bad_signature', message: '400003 KC-API-KEY does not exist.' };
  }
  // KuCoin accepts a signature until its timestamp is 5 s old: a replay is refused that long.
  const ts = Number(headerValue(request.headers, 'kc-api-timestamp'));
  const windowMs = Math.min(
    Math.max(ts + KUCOIN_TIMESTAMP_TOLERANCE_MS - now, 1),
    2 * KUCOIN_TIMESTAMP_TOLERANCE_MS,
  );
  return {
    ok: true,
    replayKey: headerValue(request.headers, 'kc-api-sign') ?? '',
    replayWindowMs: windowMs + 1_000,
  };
}
