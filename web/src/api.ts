/**
 * The admin API from the browser: same origin, the HttpOnly session cookie, the CSRF double
 * submit (the readable `kw_csrf` cookie echoed in `x-keywarden-csrf`) on every write, and a
 * fresh TOTP code in `x-keywarden-otp` for the sensitive routes.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  /** The route is not on this server (an older or newer keywarden): the page says "not available". */
  get missing(): boolean {
    return this.status === 404 && this.code === 'not_found' && /no such admin route/.test(this.message);
  }
}

function cookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export interface CallOptions {
  body?: unknown;
  otp?: string;
}

export async function api<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const csrf = cookie('kw_csrf');
    if (csrf) headers['x-keywarden-csrf'] = csrf;
  }
  if (options.otp) headers['x-keywarden-otp'] = options.otp;
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : {};
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string } }).error;
    throw new ApiError(res.status, e?.code ?? 'error', e?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown, otp?: string) =>
  api<T>('POST', path, { ...(body !== undefined ? { body } : { body: {} }), ...(otp ? { otp } : {}) });

export const errorText = (err: unknown): string =>
  err instanceof ApiError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);

// The shapes the pages read (the admin API's OpenAPI document has them in full).
export interface Me {
  kind: 'operator' | 'token' | 'local';
  id: string;
  name: string;
  role: 'owner' | 'admin' | 'operator' | 'auditor';
}
export interface KeyView {
  id: string;
  label: string;
  exchange: string;
  environment: string;
  owner?: string;
  fingerprint: string;
  last4: string;
  version: number;
  status: 'active' | 'retired';
  createdAt: number;
  rotatedAt?: number;
}
export interface ClientView {
  id: string;
  name: string;
  exchange: string;
  keyId: string;
  environment: string;
  status: 'active' | 'frozen' | 'revoked';
  policy: Record<string, unknown>;
  ipAllow: string[];
  createdAt: number;
  apiKeyIds: string[];
}
export interface Issued {
  client: ClientView;
  credential: { apiKey: string; secret: string; password?: string };
  token: string;
}
export interface FeedItem {
  seq: number;
  at: number;
  client?: string;
  clientId?: string;
  exchange?: string;
  action?: string;
  endpoint?: string;
  symbol?: string;
  side?: string;
  decision?: string;
  rule?: string;
  message?: string;
}
export interface AuditRecord extends FeedItem {
  kind: string;
  actor?: string;
  latencyMs?: number;
  upstreamStatus?: number;
  hash: string;
}
export interface Overview {
  minutes: number;
  requestsPerMinute: Array<{ minute: number; allow: number; deny: number; wouldDeny: number }>;
  denialsByRule: Array<{ rule: string; count: number }>;
  latency: { p50: number | null; p99: number | null; samples: number };
  openAlerts: number;
  keysDue: Array<{ id: string; label: string; status: string; dueAt: number }> | null;
}
export interface Alert {
  seq: number;
  at: number;
  rule?: string;
  message?: string;
  acknowledgedBy: string | null;
}
export interface Approval {
  id: string;
  kind: string;
  summary: string;
  status: string;
  requestedBy: { kind: string; name: string };
  requestedAt: number;
  expiresAt: number;
  decidedBy?: { name: string };
}
export interface OperatorView {
  id: string;
  name: string;
  role: Me['role'];
  status: string;
  mfaEnrolled: boolean;
  createdBy: string;
  createdAt: number;
}
export interface PostureCheck {
  id: string;
  title: string;
  status: 'pass' | 'fail' | 'unknown' | 'not_applicable';
  severity: string;
  evidence: string;
  fix?: { action: string; commands: string[] };
}
export interface PostureReport {
  score: number;
  counts: { pass: number; fail: number; unknown: number; notApplicable: number };
  keys: Array<{ id: string; label: string; score: number; checks: PostureCheck[] }>;
  clients: Array<{ id: string; name: string; score: number; checks: PostureCheck[] }>;
  gateway: { score: number; checks: PostureCheck[] };
}

export const when = (ms: number | undefined): string =>
  ms === undefined ? '' : new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
