/**
 * Request-target checks done on the raw bytes before anything else, so only
 * `/<exchange><an exchange path>` can ever reach an upstream: no absolute-form targets,
 * no dot segments (plain or percent-encoded), no encoded slashes, no control characters.
 */
import { type ExchangeId, isExchangeId } from '../core/index.js';

export type TargetResult =
  | { ok: true; exchange: ExchangeId; path: string; query: string }
  | { ok: false; reason: 'unknown_exchange' | 'not_allowed'; message: string; exchange?: ExchangeId };

/** One path segment: RFC 3986 pchar without `%` (exchange paths never need percent-encoding). */
const SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]+$/;
/** Query: printable ASCII only (no spaces, controls, `#`). */
const QUERY = /^[\x21-\x22\x24-\x7e]*$/;

export function checkTarget(rawUrl: string): TargetResult {
  if (!rawUrl.startsWith('/') || rawUrl.startsWith('//'))
    return { ok: false, reason: 'not_allowed', message: 'request target must be an origin-form path' };
  const q = rawUrl.indexOf('?');
  const fullPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const query = q === -1 ? '' : rawUrl.slice(q + 1);
  const slash = fullPath.indexOf('/', 1);
  const first = slash === -1 ? fullPath.slice(1) : fullPath.slice(1, slash);
  if (!isExchangeId(first)) return { ok: false, reason: 'unknown_exchange', message: 'unknown exchange' };
  const path = slash === -1 ? '' : fullPath.slice(slash);
  if (path === '' || path === '/')
    return { ok: false, reason: 'not_allowed', message: 'missing exchange path', exchange: first };
  const segments = path.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] ?? '';
    // An empty last segment is a trailing slash; anywhere else it is `//`.
    if (s === '' && i === segments.length - 1) continue;
    if (s === '' || s === '.' || s === '..' || !SEGMENT.test(s))
      return {
        ok: false,
        reason: 'not_allowed',
        message: 'path contains a disallowed segment or character',
        exchange: first,
      };
  }
  if (!QUERY.test(query))
    return {
      ok: false,
      reason: 'not_allowed',
      message: 'query contains disallowed characters',
      exchange: first,
    };
  return { ok: true, exchange: first, path, query };
}

/** A Host header is a hostname or IP literal with an optional port, nothing else. */
export function isSaneHost(host: string | undefined): boolean {
  return (
    host !== undefined &&
    host.length <= 255 &&
    /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.test(host)
  );
}
