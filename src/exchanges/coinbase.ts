/**
 * Coinbase Advanced Trade (and the Coinbase App v2 endpoints bots use for sends).
 *
 * Auth is a per-request JWT (CDP keys): ES256 with an EC P-256 PEM, or EdDSA with a base64
 * Ed25519 key. The JWT binds method, host and path (`uri` claim) but NOT the query string or the
 * body — that is Coinbase's design, so keywarden re-signs only what policy checked. Legacy HMAC
 * keys (CB-ACCESS-*) are signed too, since some old keys still exist.
 */

import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { type ExchangeErrorKind, randomToken, safeEqual } from '../core/index.js';
import {
  type CancelAllResult,
  type ClientVerifier,
  type Credential,
  CredentialError,
  type ExchangeAdapter,
  type ExchangeRequest,
  type ExchangeResponse,
  type Introspection,
  type ParseResult,
  type SignContext,
  type Transport,
  type VerifyContext,
  type VerifyResult,
} from './adapter.js';
import { cancelByListing } from './cancel-listed.js';
import {
  bodyOf,
  classifyCoinbase,
  parseRestingOrder,
  restingOrderRequest,
  toProductId,
  V3,
} from './coinbase/classify.js';
import { sendIntrospection } from './introspection.js';
import { parseJson, parseJsonRecord, refusalLine } from './json-fields.js';
import { parseParams, toNumber } from './params.js';
import { isRecord } from './strict-json.js';

export { classifyCoinbase, parseJsonBody, toProductId, toSymbol } from './coinbase/classify.js';

export const COINBASE_BASE_URL = 'https://api.coinbase.com';

/** Coinbase documents a 2-minute JWT lifetime; the official SDK signs `exp = nbf + 120`. */
export const JWT_LIFETIME_SECONDS = 120;
/** Tolerated clock skew for `nbf` (Coinbase does not document one). */
const NBF_SKEW_SECONDS = 30;
/**
 * A client JWT may not live longer than Coinbase's documented 2 minutes (`exp - nbf`), nor end
 * later than that plus the `nbf` skew from now: its replay window is then at most 150 s.
 */
const MAX_EXP_AHEAD_SECONDS = JWT_LIFETIME_SECONDS + NBF_SKEW_SECONDS;

const AUTH_HEADERS = [
  'authorization',
  'cb-access-key',
  'cb-access-sign',
  'cb-access-timestamp',
  'cb-access-passphrase',
];

// PKCS#8 DER prefix for an Ed25519 private key (RFC 8410); the 32-byte seed follows it.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export type CoinbaseSigningKey =
  | { kind: 'es256'; key: KeyObject }
  | { kind: 'eddsa'; key: KeyObject }
  | { kind: 'hmac'; secret: string };

function isPem(secret: string): boolean {
  return secret.trimStart().startsWith('-----BEGIN');
}

/** A base64 Ed25519 CDP secret: 64 bytes (seed || public key) as the portal shows it, or a bare 32-byte seed. */
function ed25519Seed(secret: string): Buffer | undefined {
  const text = secret.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 64 && bytes.length !== 32) return undefined;
  return bytes.subarray(0, 32);
}

/**
 * Decide the scheme the way CCXT and the SDKs do: a PEM is ES256, a base64 string of 32/64
 * bytes is Ed25519 (only the CDP portal issues those), anything else is a legacy HMAC secret.
 */
export function loadSigningKey(credential: Credential): CoinbaseSigningKey {
  const { apiKey, secret } = credential;
  if (typeof apiKey !== 'string' || apiKey.trim() === '')
    throw new CredentialError('coinbase: apiKey is required');
  if (typeof secret !== 'string' || secret.trim() === '')
    throw new CredentialError('coinbase: secret is required');
  if (isPem(apiKey)) {
    throw new CredentialError('coinbase: apiKey must be the key name (organizations/…/apiKeys/…), not a PEM');
  }
  if (isPem(secret)) {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: secret.replace(/\\n/g, '\n'), format: 'pem' });
    } catch {
      throw new CredentialError('coinbase: secret is not a readable EC private key PEM');
    }
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
      return { kind: 'es256', key };
    }
    if (key.asymmetricKeyType === 'ed25519') return { kind: 'eddsa', key };
    throw new CredentialError('coinbase: secret PEM must be an EC P-256 (ES256) private key');
  }
  const seed = ed25519Seed(secret);
  if (seed) {
    const key = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    return { kind: 'eddsa', key };
  }
  if (apiKey.includes('organizations/')) {
    throw new CredentialError('coinbase: CDP key secret must be an EC PEM or a base64 Ed25519 key');
  }
  return { kind: 'hmac', secret };
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** `host + basePath` of a base URL, as the JWT `uri` claim names it (no scheme, no query). */
export function uriPrefix(baseUrl: string): string {
  const url = new URL(baseUrl);
  return url.host + url.pathname.replace(/\/+$/, '');
}

export function jwtUri(method: string, baseUrl: string, path: string): string {
  return `${method.toUpperCase()} ${uriPrefix(baseUrl)}${path}`;
}

export interface JwtOptions {
  apiKey: string;
  key: CoinbaseSigningKey & { kind: 'es256' | 'eddsa' };
  uri: string;
  nowSeconds: number;
}

/**
 * Build a REST JWT as the official SDKs do: header {alg, kid, nonce, typ}, claims
 * {sub, iss: 'cdp', nbf, exp: nbf+120, uri}. EdDSA keys put the uri in `uris` (CDP SDK v2).
 */
export function buildJwt(options: JwtOptions): string {
  const { apiKey, key, uri, nowSeconds } = options;
  const alg = key.kind === 'es256' ? 'ES256' : 'EdDSA';
  const header = { alg, kid: apiKey, nonce: randomBytes(16).toString('hex'), typ: 'JWT' };
  const claims: Record<string, unknown> = {
    sub: apiKey,
    iss: 'cdp',
    nbf: nowSeconds,
    exp: nowSeconds + JWT_LIFETIME_SECONDS,
  };
  if (key.kind === 'es256') claims.uri = uri;
  else {
    claims.aud = ['cdp_service'];
    claims.uris = [uri];
  }
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const signature =
    key.kind === 'es256'
      ? cryptoSign('sha256', Buffer.from(signingInput), { key: key.key, dsaEncoding: 'ieee-p1363' })
      : cryptoSign(null, Buffer.from(signingInput), key.key);
  return `${signingInput}.${b64url(signature)}`;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, c, s] = parts;
  if (h === undefined || c === undefined || s === undefined) return undefined;
  if (!/^[A-Za-z0-9_-]+$/.test(h + c + s)) return undefined;
  // The decoder ignores a final character's unused low bits: only the canonical spelling of a
  // signature is accepted, so one signed token has one spelling.
  if (Buffer.from(s, 'base64url').toString('base64url') !== s) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const claims: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (!isRecord(header) || !isRecord(claims)) return undefined;
    return { header, claims, signingInput: `${h}.${c}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return undefined;
  }
}

function header(request: ExchangeRequest, name: string): string | undefined {
  for (const [k, v] of Object.entries(request.headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function bearer(request: ExchangeRequest): string | undefined {
  const auth = header(request, 'authorization');
  const m = auth === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m?.[1];
}

export interface JwtCheck {
  apiKey: string;
  /** Public key PEM (EC P-256 or Ed25519). */
  publicKeyPem: string;
  method: string;
  /** `host + prefix + path` the client addressed. */
  target: string;
  nowSeconds: number;
}

/**
 * Verify a CDP JWT the way Coinbase does. The `uri` may carry a scheme: CCXT strips only
 * `https://`, so a client pointed at an `http://` base URL signs `GET http://host/...`;
 * the scheme adds nothing an attacker controls, so both spellings are accepted.
 */
export function verifyJwt(token: string | undefined, check: JwtCheck): VerifyResult {
  if (token === undefined) return { ok: false, reason: 'missing_credentials', message: 'missing bearer JWT' };
  const jwt = decodeJwt(token);
  if (!jwt) return { ok: false, reason: 'malformed', message: 'malformed JWT' };
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(check.publicKeyPem);
  } catch {
    return { ok: false, reason: 'bad_signature', message: 'no usable public key for this api key' };
  }
  const alg = jwt.header.alg;
  let valid = false;
  if (alg === 'ES256' && publicKey.asymmetricKeyType === 'ec') {
    valid =
      jwt.signature.length === 64 &&
      cryptoVerify(
        'sha256',
        Buffer.from(jwt.signingInput),
        { key: publicKey, dsaEncoding: 'ieee-p1363' },
        jwt.signature,
      );
  } else if (alg === 'EdDSA' && publicKey.asymmetricKeyType === 'ed25519') {
    valid = cryptoVerify(null, Buffer.from(jwt.signingInput), publicKey, jwt.signature);
  }
  if (!valid) return { ok: false, reason: 'bad_signature', message: 'JWT signature does not verify' };
  const { kid } = jwt.header;
  const { sub, nbf, exp } = jwt.claims;
  if (typeof sub !== 'string' || !safeEqual(sub, check.apiKey)) {
    return { ok: false, reason: 'bad_signature', message: 'JWT sub is not this api key' };
  }
  if (kid !== undefined && (typeof kid !== 'string' || !safeEqual(kid, check.apiKey))) {
    return { ok: false, reason: 'bad_signature', message: 'JWT kid is not this api key' };
  }
  if (typeof nbf !== 'number' || typeof exp !== 'number' || !Number.isFinite(nbf) || !Number.isFinite(exp)) {
    return { ok: false, reason: 'malformed', message: 'JWT lacks nbf/exp' };
  }
  if (nbf > check.nowSeconds + NBF_SKEW_SECONDS) {
    return { ok: false, reason: 'stale_timestamp', message: 'JWT not yet valid' };
  }
  if (exp <= check.nowSeconds) return { ok: false, reason: 'stale_timestamp', message: 'JWT expired' };
  if (exp > check.nowSeconds + MAX_EXP_AHEAD_SECONDS || exp - nbf > JWT_LIFETIME_SECONDS) {
    return { ok: false, reason: 'stale_timestamp', message: 'JWT lifetime too long' };
  }
  const claimed: unknown[] = Array.isArray(jwt.claims.uris) ? jwt.claims.uris : [jwt.claims.uri];
  const method = check.method.toUpperCase();
  const accepted = [
    `${method} ${check.target}`,
    `${method} https://${check.target}`,
    `${method} http://${check.target}`,
  ];
  const uriOk = claimed.some((u) => typeof u === 'string' && accepted.some((a) => safeEqual(u, a)));
  if (!uriOk) return { ok: false, reason: 'bad_signature', message: 'JWT uri does not match the request' };
  // The JWT does not cover the body: one token must place one request. Its signed part (header
  // with the nonce, and claims) names it; the signature itself is not used, since an ECDSA
  // signature can be re-encoded (s -> n - s) and still verify.
  return {
    ok: true,
    replayKey: `jwt:${createHash('sha256').update(jwt.signingInput).digest('base64url')}`,
    replayWindowMs: (exp - check.nowSeconds) * 1000 + 1000,
  };
}

/** Legacy HMAC prehash: timestamp + METHOD + path (+ `?query` on v2 GETs, as CCXT does) + body. */
export function legacyPrehash(timestamp: string, request: ExchangeRequest): string {
  const method = request.method.toUpperCase();
  const query =
    method === 'GET' && request.path.startsWith('/v2/') && request.query !== '' ? `?${request.query}` : '';
  return `${timestamp}${method}${request.path}${query}${request.body}`;
}

export function legacySignature(secret: string, prehash: string): string {
  return createHmac('sha256', secret).update(prehash).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Errors in Coinbase's own shapes.

/** Advanced Trade JSON error as CCXT's `handleErrors` reads it (`error` exact-matched). */
export function coinbaseError(status: number, error: string, message: string): ExchangeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error, error_details: message, message }),
  };
}

/** Coinbase answers a bad or expired JWT with a bare 401 `Unauthorized` text body. */
export function coinbaseUnauthorized(): ExchangeResponse {
  return { status: 401, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Unauthorized\n' };
}

export function coinbaseErrorResponse(kind: ExchangeErrorKind, message: string): ExchangeResponse {
  switch (kind) {
    case 'auth':
    case 'timestamp':
      return coinbaseUnauthorized();
    case 'permission':
      return coinbaseError(403, 'PERMISSION_DENIED', message || 'Missing required scopes');
    case 'policy':
      return coinbaseError(403, 'PERMISSION_DENIED', message);
    case 'rate_limited':
      return coinbaseError(429, 'rate_limit_exceeded', message);
    case 'bad_request':
      return coinbaseError(400, 'INVALID_ARGUMENT', message);
    case 'not_found':
      return coinbaseError(404, 'not_found', message);
    case 'sealed':
    case 'unavailable':
      return coinbaseError(503, 'unavailable', message);
    default:
      return coinbaseError(500, 'internal_server_error', message);
  }
}

// ---------------------------------------------------------------------------------------------

function stripAuthHeaders(request: ExchangeRequest): ExchangeRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) {
    if (!AUTH_HEADERS.includes(k.toLowerCase())) headers[k] = v;
  }
  return { ...request, headers };
}

export function signCoinbase(
  request: ExchangeRequest,
  credential: Credential,
  ctx: SignContext,
): ExchangeRequest {
  const key = loadSigningKey(credential);
  const base = stripAuthHeaders(request);
  const nowSeconds = Math.floor(ctx.clock.now() / 1000);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(base.headers)) {
    if (k.toLowerCase() !== 'content-type') headers[k] = v;
  }
  if (request.body !== '') headers['content-type'] = 'application/json';
  if (key.kind === 'hmac') {
    const ts = String(nowSeconds);
    headers['cb-access-key'] = credential.apiKey;
    headers['cb-access-sign'] = legacySignature(key.secret, legacyPrehash(ts, request));
    headers['cb-access-timestamp'] = ts;
    return { ...base, headers };
  }
  const uri = jwtUri(request.method, ctx.baseUrl, request.path);
  headers.authorization = `Bearer ${buildJwt({ apiKey: credential.apiKey, key, uri, nowSeconds })}`;
  return { ...base, headers };
}

/** A fresh EC P-256 CDP-style key pair: the private SEC1 PEM is what CCXT's ES256 signer reads. */
export function generateCdpKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privatePem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * Query names Coinbase documents as lists, sent repeated (`product_ids=A&product_ids=B`, as
 * CCXT's fetchTickers does). Every value is used, so repeating them is not ambiguous; any other
 * repeated name still is and is rejected.
 */
const LIST_PARAMS = new Set([
  'product_ids',
  'order_ids',
  'order_status',
  'order_types',
  'trade_ids',
  'asset_filters',
]);

function checkQuery(query: string): { ok: true } | { ok: false; message: string } {
  const single: string[] = [];
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    let name: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
    } catch {
      return { ok: false, message: `malformed percent-encoding in parameter "${rawName.slice(0, 40)}"` };
    }
    if (!LIST_PARAMS.has(name)) single.push(part);
    else {
      const checked = parseParams(part);
      if (!checked.ok) return checked;
    }
  }
  return parseParams(single.join('&'));
}

function parseCoinbase(request: ExchangeRequest): ParseResult {
  const q = checkQuery(request.query);
  if (!q.ok) return { ok: false, message: q.message };
  const body = bodyOf(request);
  if (!body.ok) return { ok: false, message: body.message };
  if (request.body.trim() !== '' && !isRecord(body.value) && !Array.isArray(body.value)) {
    return { ok: false, message: 'JSON body must be an object' };
  }
  return { ok: true, request };
}

async function introspect(credential: Credential, send: Transport, ctx: SignContext): Promise<Introspection> {
  const request = signCoinbase(
    { method: 'GET', path: `${V3}/key_permissions`, query: '', headers: {}, body: '' },
    credential,
    ctx,
  );
  const sent = await sendIntrospection(send, request, 'coinbase key_permissions request failed');
  if (!sent.ok) return sent.result;
  const { response } = sent;
  if (response.status !== 200) {
    return { available: false, reason: `coinbase key_permissions answered HTTP ${response.status}` };
  }
  const raw = parseJson(response.body);
  if (raw === undefined) return { available: false, reason: 'coinbase key_permissions answer is not JSON' };
  if (!isRecord(raw)) return { available: false, reason: 'coinbase key_permissions answer is not an object' };
  const canTransfer = raw.can_transfer === true;
  return {
    available: true,
    canRead: raw.can_view === true,
    canTrade: raw.can_trade === true,
    canWithdraw: canTransfer,
    canTransfer,
    // Coinbase has no endpoint that reports a key's IP allow-list (it is set in the CDP portal).
    ipRestricted: false,
    raw: { ...raw, ip_allowlist: 'not reported by Coinbase (set in the CDP portal)' },
  };
}

/** Coinbase's batch_cancel takes at most 100 order ids per call. */
const COINBASE_CANCEL_BATCH = 100;
/** Bounds the list-then-cancel loop (each round lists one page of OPEN orders and cancels it). */
const COINBASE_CANCEL_ROUNDS = 50;

/** `HTTP 401 UNAUTHENTICATED …`: a Coinbase refusal in one line (gRPC-gateway or v3 error shape). */
function coinbaseReason(status: number, body: Record<string, unknown> | undefined): string {
  return refusalLine(status, body, 'error', 'message');
}

/**
 * Coinbase has no cancel-everything call: list OPEN orders
 * (GET /api/v3/brokerage/orders/historical/batch?order_status=OPEN) and cancel them with
 * POST /api/v3/brokerage/orders/batch_cancel (`order_ids`, up to 100); list again until none is left.
 */
async function cancelAllOrders(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<CancelAllResult> {
  const call = (method: string, path: string, query: string, body: string) =>
    send(signCoinbase({ method, path, query, headers: {}, body }, credential, ctx));
  return cancelByListing<string>({
    rounds: COINBASE_CANCEL_ROUNDS,
    batchSize: COINBASE_CANCEL_BATCH,
    async list() {
      const listed = await call('GET', `${V3}/orders/historical/batch`, 'order_status=OPEN', '');
      const page = parseJsonRecord(listed.body);
      if (listed.status !== 200 || !Array.isArray(page?.orders)) {
        return {
          ok: false,
          reason: `GET ${V3}/orders/historical/batch: ${coinbaseReason(listed.status, page)}`,
        };
      }
      const ids: string[] = [];
      for (const o of page.orders) {
        const id = isRecord(o) ? o.order_id : undefined;
        const status = isRecord(o) ? o.status : undefined;
        if (typeof id === 'string' && (status === undefined || status === 'OPEN')) ids.push(id);
      }
      return { ok: true, open: ids };
    },
    idOf: (id) => id,
    async cancel(batch) {
      const r = await call('POST', `${V3}/orders/batch_cancel`, '', JSON.stringify({ order_ids: batch }));
      const answer = parseJsonRecord(r.body);
      const rows = Array.isArray(answer?.results) ? answer.results.filter(isRecord) : [];
      if (r.status !== 200 || rows.length === 0)
        return { ok: false, reason: coinbaseReason(r.status, answer) };
      return {
        ok: true,
        rows: rows.map((row) => ({
          id: typeof row.order_id === 'string' ? row.order_id : undefined,
          cancelled: row.success === true,
          reason: typeof row.failure_reason === 'string' ? row.failure_reason : 'refused',
        })),
      };
    },
  });
}

export const coinbase: ExchangeAdapter = {
  id: 'coinbase',
  defaultBaseUrl: COINBASE_BASE_URL,

  validateCredential(credential) {
    loadSigningKey(credential);
  },

  parse: parseCoinbase,

  clientKeyId(request) {
    const token = bearer(request);
    if (token !== undefined) {
      const jwt = decodeJwt(token);
      const id = jwt?.header.kid ?? jwt?.claims.sub;
      return typeof id === 'string' ? id : undefined;
    }
    return header(request, 'cb-access-key');
  },

  verifyClient(request: ExchangeRequest, verifier: ClientVerifier, ctx: VerifyContext): VerifyResult {
    return verifyJwt(bearer(request), {
      apiKey: verifier.apiKey,
      publicKeyPem: verifier.secret,
      method: request.method,
      target: `${ctx.origin.host}${ctx.origin.prefix}${request.path}`,
      nowSeconds: Math.floor(ctx.clock.now() / 1000),
    });
  },

  stripAuth: stripAuthHeaders,
  sign: signCoinbase,
  classify: classifyCoinbase,
  restingOrderRequest,
  parseRestingOrder,
  introspect,
  cancelAllOrders,
  errorResponse: coinbaseErrorResponse,

  issueClientCredential() {
    const { privatePem, publicPem } = generateCdpKeyPair();
    const apiKey = `organizations/keywarden/apiKeys/kw_${randomToken(24)}`;
    return { credential: { apiKey, secret: privatePem }, verifier: { apiKey, secret: publicPem } };
  },

  tickerRequest(symbol) {
    return {
      method: 'GET',
      path: `${V3}/market/products/${toProductId(symbol)}`,
      query: '',
      headers: {},
      body: '',
    };
  },

  parseTicker(response) {
    if (response.status !== 200) return undefined;
    const price = toNumber(parseJsonRecord(response.body)?.price);
    return price !== undefined && price > 0 ? price : undefined;
  },

  // CDP keys cannot change permissions once created, and key_permissions says nothing of the
  // key's IP allowlist (introspect reports ipRestricted: false), so both go through the console.
  forwardedHeaders: ['cb-version'],
  credentialFields: ['apiKey', 'secret'],
  ccxtOverride(base: string) {
    return { urls: { api: { rest: base } } };
  },
  console: {
    name: 'Coinbase',
    apiKeysUrl: 'https://portal.cdp.coinbase.com/projects/api-keys',
    disableWithdrawals:
      'Coinbase Developer Platform → API Keys → Create API key with only "View" and "Trade" ("Transfer" unticked); permissions cannot be edited on an existing key',
    disableTransfers:
      'Coinbase Developer Platform → API Keys → Create API key with only "View" and "Trade" ("Transfer" unticked); permissions cannot be edited on an existing key',
    restrictIp: 'Coinbase Developer Platform → API Keys → Configure → Edit → API restrictions → IP allowlist',
    deleteKey: 'Coinbase Developer Platform → API Keys → Delete',
    permissionsEditable: false,
    reportsIpRestriction: false,
  },
};
