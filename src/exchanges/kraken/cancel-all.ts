/**
 * Kraken cancels every open order of the key's account in one call: POST /0/private/CancelAll
 * → `{count}`. keywarden's own processes share one nonce sequence per key (the store's), but the
 * same Kraken API key may also sign outside it: other software holding it, or the key registered
 * twice under two labels (one sequence each). A lockdown must still get through, so an
 * `EAPI:Invalid nonce` answer is retried with a fresh, clock-advanced nonce (nothing was
 * cancelled by a refused call, so retrying cannot cancel twice).
 */
import type { CancelAllResult, Credential, ExchangeResponse, SignContext, Transport } from '../adapter.js';
import { parseJsonRecord } from '../json-fields.js';
import { upstreamRequest } from '../upstream-request.js';
import { signKraken } from './auth.js';

/** Tries of CancelAll when Kraken answers `EAPI:Invalid nonce` (the key signed a higher one elsewhere). */
const CANCEL_ALL_NONCE_TRIES = 3;

export async function cancelAllOrders(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<CancelAllResult> {
  let response: ExchangeResponse | undefined;
  let parsed: Record<string, unknown> | undefined;
  let errors: unknown[] = [];
  for (let attempt = 0; attempt < CANCEL_ALL_NONCE_TRIES; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
    response = await send(signKraken(upstreamRequest('POST', '/0/private/CancelAll'), credential, ctx));
    parsed = parseJsonRecord(response.body);
    errors = Array.isArray(parsed?.error) ? parsed.error : [];
    if (!errors.some((e) => typeof e === 'string' && e.startsWith('EAPI:Invalid nonce'))) break;
  }
  if (!response)
    return { cancelled: 0, failed: [{ ref: '*', reason: 'POST /0/private/CancelAll: not sent' }] };
  const result = parsed?.result;
  const count =
    typeof result === 'object' && result !== null
      ? Number((result as Record<string, unknown>).count)
      : Number.NaN;
  if (response.status !== 200 || errors.length > 0 || !Number.isInteger(count))
    return {
      cancelled: 0,
      failed: [
        {
          ref: '*',
          reason: `POST /0/private/CancelAll: ${String(errors[0] ?? `HTTP ${response.status}`).slice(0, 200)}`,
        },
      ],
    };
  return { cancelled: count, failed: [] };
}
