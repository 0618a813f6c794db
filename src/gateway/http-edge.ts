/** The HTTP edge: a Node request's fields as the pipeline's framework-free `EdgeRequest`. */
import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayRequest } from './gateway-types.js';
import type { EdgeRequest } from './pipeline/index.js';

export function edgeRequest(req: GatewayRequest): EdgeRequest {
  const edge: EdgeRequest = {
    requestId: req.requestId,
    method: req.method,
    target: req.rawUrl,
    headers: flatHeaders(req.headers),
    body: req.body,
    peer: req.peer,
  };
  if (req.local !== undefined) edge.local = req.local;
  return edge;
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
