/**
 * Steps every adapter's `introspect` shares. Introspection is advisory: when the exchange cannot
 * be reached or answers oddly, the result says why it is unavailable instead of throwing.
 */
import type { ExchangeRequest, ExchangeResponse, Introspection, Transport } from './adapter.js';
import { errorFields, parseJson } from './json-fields.js';

export type IntrospectionAnswer =
  | { ok: true; response: ExchangeResponse }
  | { ok: false; result: Introspection };

/** Sends the signed call; a transport failure becomes `{ available: false, reason: unreachable }`. */
export async function sendIntrospection(
  send: Transport,
  request: ExchangeRequest,
  unreachable: string,
): Promise<IntrospectionAnswer> {
  try {
    return { ok: true, response: await send(request) };
  } catch {
    return { ok: false, result: { available: false, reason: unreachable } };
  }
}

/** `okx 50113: Invalid Sign` (or the HTTP status when the answer carries no code). */
export function refusedIntrospection(
  exchange: string,
  status: number,
  answer: unknown,
  codeField: string,
  messageField: string,
): Introspection {
  const { code, message } = errorFields(answer, codeField, messageField);
  return { available: false, reason: `${exchange} ${code ?? status}: ${message ?? 'unexpected answer'}` };
}

/** An allow-list as Introspection reports it: `ipList` only when there is one. */
export function ipRestriction(ipList: string[]): { ipRestricted: boolean; ipList?: string[] } {
  return ipList.length > 0 ? { ipRestricted: true, ipList } : { ipRestricted: false };
}

/**
 * Reads a JSON answer: its payload when `payload` finds one, else unavailable with the reason
 * (`okx answered HTTP 502 without JSON`, or the exchange's code and message by their fields).
 */
export function readIntrospection(
  exchange: string,
  response: ExchangeResponse,
  payload: (answer: unknown) => Record<string, unknown> | undefined,
  codeField: string,
  messageField: string,
): { ok: true; data: Record<string, unknown> } | { ok: false; result: Introspection } {
  const parsed = parseJson(response.body);
  if (parsed === undefined) {
    return {
      ok: false,
      result: { available: false, reason: `${exchange} answered HTTP ${response.status} without JSON` },
    };
  }
  const data = payload(parsed);
  if (data === undefined) {
    return {
      ok: false,
      result: refusedIntrospection(exchange, response.status, parsed, codeField, messageField),
    };
  }
  return { ok: true, data };
}
