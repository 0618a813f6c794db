/** The HTTP edge: a Node request's fields as the pipeline's framework-free `EdgeRequest`. */
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayRequest } from './gateway-types.js';
import type { EdgeRequest } from './pipeline/index.js';

export function edgeRequest(req: GatewayRequest): EdgeRequest {
  return {
    requestId: req.requestId,
    method: req.method,
    target: req.rawUrl,
    headers: flatHeaders(req.headers),
    body: req.body,
    peer: req.peer,
    ...(req.local !== undefined ? { local: req.local } : {}),
  };
}

/** Lower-case names, repeated headers joined with `, ` (copied without `Object.entries` arrays: hot path). */
function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(headers)) {
    const v = headers[k];
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
