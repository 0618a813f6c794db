/**
 * The requests adapters build themselves (introspection, prices, resting orders, cancel-all):
 * no headers until signing adds them, and an empty body unless one is given.
 */
import type { ExchangeRequest } from './adapter.js';

export function upstreamRequest(method: string, path: string, query = '', body = ''): ExchangeRequest {
  return { method, path, query, headers: {}, body };
}

/** A GET with its query already encoded. */
export function getRequest(path: string, query = ''): ExchangeRequest {
  return upstreamRequest('GET', path, query);
}
