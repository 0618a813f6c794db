/**
 * The only way keywarden talks to an exchange: one undici Pool per configured base URL
 * (keep-alive, timeouts). Callers give a path relative to that base; nothing else is reachable,
 * so the gateway can never be used as an open proxy.
 */
import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import { isAllowedBaseUrl } from '../config/index.js';
import { KeywardenError, type OutgoingRequest } from '../core/index.js';
import type { ExchangeRequest, ExchangeResponse } from '../exchanges/index.js';

export interface UpstreamOptions {
  connections: number;
  timeoutMs: number;
  keepAliveMs: number;
}

export interface StreamedResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable;
}

export interface Upstream {
  readonly baseUrl: string;
  /** Send exactly these bytes (signed by the adapter, or a stripped public request); the answer's body is streamed. */
  stream(request: OutgoingRequest): Promise<StreamedResponse>;
  /** Send and buffer the answer (small public requests such as tickers). */
  send(request: ExchangeRequest): Promise<ExchangeResponse>;
  close(): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and ones the transport sets itself: never copied across. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

export function createUpstream(baseUrl: string, options: UpstreamOptions): Upstream {
  if (!isAllowedBaseUrl(baseUrl))
    throw new KeywardenError(
      'invalid_config',
      `upstream ${baseUrl} must be https:// (http:// only to loopback)`,
    );
  const url = new URL(baseUrl);
  const basePath = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections: options.connections,
    keepAliveTimeout: options.keepAliveMs,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connectTimeout: options.timeoutMs,
    pipelining: 1,
  });

  async function request(req: ExchangeRequest) {
    if (!req.path.startsWith('/')) throw new KeywardenError('path_not_allowed');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (!HOP_BY_HOP.has(k.toLowerCase())) headers[k] = v;
    }
    const hasBody = req.body !== '' && req.method !== 'GET' && req.method !== 'HEAD';
    try {
      return await pool.request({
        method: req.method as 'GET',
        path: `${basePath}${req.path}${req.query ? `?${req.query}` : ''}`,
        headers,
        ...(hasBody ? { body: req.body } : {}),
      });
    } catch {
      throw new KeywardenError('upstream_failed');
    }
  }

  function copyHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(raw)) {
      const key = k.toLowerCase();
      if (v === undefined || (HOP_BY_HOP.has(key) && key !== 'content-length') || key === 'set-cookie')
        continue;
      out[key] = Array.isArray(v) ? v.join(', ') : v;
    }
    return out;
  }

  return {
    baseUrl,
    async stream(req) {
      const r = await request(req);
      return { status: r.statusCode, headers: copyHeaders(r.headers), body: r.body };
    },
    async send(req) {
      const r = await request(req);
      try {
        const body = await r.body.text();
        const headers = copyHeaders(r.headers);
        delete headers['content-length'];
        return { status: r.statusCode, headers, body };
      } catch {
        throw new KeywardenError('upstream_failed');
      }
    },
    close: () => pool.close(),
  };
}
