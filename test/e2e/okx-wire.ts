/**
 * A bot speaking OKX's own wire format to the gateway: each request signed with an issued
 * client credential exactly as OKX's SDKs sign it (okx.sign), sent over a real socket.
 */
import type { Credential, ExchangeRequest } from '../../src/exchanges/adapter.js';
import { okx } from '../../src/exchanges/okx/index.js';

export interface OkxAnswer {
  status: number;
  /** The keywarden denial code (`x-keywarden-code`), absent when the exchange answered. */
  keywarden: string | undefined;
  json: { code: string; msg: string; data: Array<Record<string, string>> };
}

/** Sign `request` with `credential` at `now`. */
export function okxSigned(
  credential: Credential,
  request: ExchangeRequest,
  now = Date.now(),
): ExchangeRequest {
  return okx.sign(request, credential, {
    clock: { now: () => now },
    nonce: { next: () => '0' },
    baseUrl: '',
  });
}

/** Send an already-signed request to the gateway's `/okx` prefix. */
export async function sendOkx(gatewayUrl: string, signed: ExchangeRequest): Promise<OkxAnswer> {
  const url = `${gatewayUrl}/okx${signed.path}${signed.query ? `?${signed.query}` : ''}`;
  const res = await fetch(url, {
    method: signed.method,
    headers: signed.headers,
    ...(signed.method === 'GET' ? {} : { body: signed.body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    keywarden: res.headers.get('x-keywarden-code') ?? undefined,
    json: JSON.parse(text) as OkxAnswer['json'],
  };
}

/** A POST with a JSON body (a string is sent as is, for bodies JSON.stringify cannot write). */
export function okxPost(path: string, body: unknown, query = ''): ExchangeRequest {
  return {
    method: 'POST',
    path,
    query,
    headers: {},
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** Sign afresh and send: what an honest bot does for every request. */
export function okxCall(
  gatewayUrl: string,
  credential: Credential,
  request: ExchangeRequest,
): Promise<OkxAnswer> {
  return sendOkx(gatewayUrl, okxSigned(credential, request));
}
