/**
 * Coinbase authentication: a per-request CDP JWT in `Authorization: Bearer`, or the legacy
 * HMAC CB-ACCESS-* headers some old keys still use.
 */
import { createHmac } from 'node:crypto';
import { randomToken } from '../../core/index.js';
import type {
  ClientVerifier,
  Credential,
  ExchangeRequest,
  IssuedClientCredential,
  SignContext,
  VerifyContext,
  VerifyResult,
} from '../adapter.js';
import { buildJwt, decodeJwt, jwtUri, verifyJwt } from './jwt.js';
import { generateCdpKeyPair, loadSigningKey } from './signing-key.js';

const AUTH_HEADERS = [
  'authorization',
  'cb-access-key',
  'cb-access-sign',
  'cb-access-timestamp',
  'cb-access-passphrase',
];

function header(request: ExchangeRequest, name: string): string | undefined {
  for (const [k, v] of Object.entries(request.headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function bearer(request: ExchangeRequest): string | undefined {
  const auth = header(request, 'authorization');
  const m = auth === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m?.[1];
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

export function stripAuthHeaders(request: ExchangeRequest): ExchangeRequest {
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

export function validateCoinbaseCredential(credential: Credential): void {
  loadSigningKey(credential);
}

export function coinbaseClientKeyId(request: ExchangeRequest): string | undefined {
  const token = bearer(request);
  if (token !== undefined) {
    const jwt = decodeJwt(token);
    const id = jwt?.header.kid ?? jwt?.claims.sub;
    return typeof id === 'string' ? id : undefined;
  }
  return header(request, 'cb-access-key');
}

export function verifyCoinbaseClient(
  request: ExchangeRequest,
  verifier: ClientVerifier,
  ctx: VerifyContext,
): VerifyResult {
  return verifyJwt(bearer(request), {
    apiKey: verifier.apiKey,
    publicKeyPem: verifier.secret,
    method: request.method,
    target: `${ctx.origin.host}${ctx.origin.prefix}${request.path}`,
    nowSeconds: Math.floor(ctx.clock.now() / 1000),
  });
}

export function issueCoinbaseClientCredential(): IssuedClientCredential {
  const { privatePem, publicPem } = generateCdpKeyPair();
  const apiKey = `organizations/keywarden/apiKeys/kw_${randomToken(24)}`;
  return { credential: { apiKey, secret: privatePem }, verifier: { apiKey, secret: publicPem } };
}
