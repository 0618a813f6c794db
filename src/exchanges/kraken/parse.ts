/**
 * Kraken request parsing: private calls carry their parameters in a form or JSON body, decoded
 * once per request object and read again by verification and classification.
 */
import type { ExchangeRequest, ParseResult } from '../adapter.js';
import { headerValue } from '../http-text.js';
import { type Params, parseParams } from '../params.js';
import { jsonDuplicateKey } from './duplicate-keys.js';
import type { KrakenBody } from './requests.js';

export const PRIVATE_PREFIX = '/0/private/';

/** The private method a path names (`/0/private/AddOrder` → `AddOrder`). */
export function privateMethod(path: string): string | undefined {
  return path.startsWith(PRIVATE_PREFIX) ? path.slice(PRIVATE_PREFIX.length) : undefined;
}

export function isJson(request: ExchangeRequest): boolean {
  const ct = (headerValue(request.headers, 'content-type') ?? '').toLowerCase();
  return ct.includes('json') || (ct === '' && request.body.trimStart().startsWith('{'));
}

/** A private call's body, decoded once: form fields (with Kraken's `close[...]` names nested) or JSON. */
export interface Body {
  kind: 'form' | 'json';
  fields: KrakenBody;
}

type BodyResult = { ok: true; body: Body } | { ok: false; message: string };

const CLOSE_FIELD = /^close\[(ordertype|price|price2)\]$/;

/** Form fields as an object; Kraken's documented `close[ordertype]`, `close[price]`, `close[price2]` nested as `close`. */
function formFields(params: Params): KrakenBody | string {
  const out: KrakenBody = Object.create(null) as KrakenBody;
  let close: Record<string, string> | undefined;
  for (const [k, v] of params) {
    const m = CLOSE_FIELD.exec(k);
    if (m?.[1] !== undefined) {
      close ??= Object.create(null) as Record<string, string>;
      close[m[1]] = v;
    } else out[k] = v;
  }
  if (close) {
    if (Object.hasOwn(out, 'close')) return 'field "close" given both plain and as close[...]';
    out.close = close;
  }
  return out;
}

/** Bodies already decoded by `parse` (the gateway verifies and classifies that same request object). */
const decoded = new WeakMap<ExchangeRequest, BodyResult>();

export function parseBody(request: ExchangeRequest): BodyResult {
  const hit = decoded.get(request);
  if (hit) return hit;
  const result = decodeBody(request);
  decoded.set(request, result);
  return result;
}

function decodeBody(request: ExchangeRequest): BodyResult {
  if (isJson(request)) {
    const dup = jsonDuplicateKey(request.body);
    if (dup) return { ok: false, message: dup };
    const value = JSON.parse(request.body) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, message: 'JSON body must be an object' };
    }
    return { ok: true, body: { kind: 'json', fields: value as KrakenBody } };
  }
  const p = parseParams(request.body);
  if (!p.ok) return p;
  const fields = formFields(p.params);
  return typeof fields === 'string'
    ? { ok: false, message: fields }
    : { ok: true, body: { kind: 'form', fields } };
}

export function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** One top-level field as text (JSON numbers stringified). */
export function field(body: Body, name: string): string | undefined {
  return Object.hasOwn(body.fields, name) ? scalar(body.fields[name]) : undefined;
}

export function parseKraken(request: ExchangeRequest): ParseResult {
  const q = parseParams(request.query);
  if (!q.ok) return q;
  // Kraken signs only the path and body: a query on a private call would travel unsigned and unchecked.
  if (request.path.startsWith(PRIVATE_PREFIX) && request.query !== '') {
    return { ok: false, message: 'private methods take their parameters in the body, not the query' };
  }
  if (request.body === '') return { ok: true, request };
  const b = parseBody(request);
  if (!b.ok) return b;
  if (b.body.kind === 'form') {
    const fields = b.body.fields;
    const clash = q.params.find(([k]) => Object.hasOwn(fields, k));
    if (clash) return { ok: false, message: `duplicated parameter "${clash[0].slice(0, 40)}"` };
  }
  return { ok: true, request };
}
