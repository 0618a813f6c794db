/**
 * Kraken authentication (exchanges.md §3): API-Key and API-Sign = base64(HMAC-SHA512(
 * base64decode(secret), path + SHA256(nonce + postdata))). The nonce lives in the body and must
 * strictly increase per key: the gateway owns it.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../../core/index.js';
import {
  type ClientVerifier,
  type Credential,
  CredentialError,
  type ExchangeRequest,
  type SignContext,
  type VerifyContext,
  type VerifyResult,
} from '../adapter.js';
import { dropRawParams, hasSpaceOrControl, headerValue, withoutHeaders } from '../http-text.js';
import { parseJsonRecord } from '../json-fields.js';
import { issueSharedSecretCredential } from '../shared-secret.js';
import { KRAKEN_ERRORS } from './errors.js';
import { field, isJson, parseBody, privateMethod } from './parse.js';

const AUTH_HEADERS = ['api-key', 'api-sign'];
const AUTH_PARAMS = ['nonce', 'otp'];

/** API-Sign for `path` and the exact body, given the nonce text inside that body. */
export function krakenSignature(path: string, nonce: string, body: string, secret: string): string {
  const inner = createHash('sha256')
    .update(nonce + body)
    .digest();
  return createHmac('sha512', Buffer.from(secret, 'base64'))
    .update(Buffer.concat([Buffer.from(path), inner]))
    .digest('base64');
}

function fail(reason: Exclude<VerifyResult, { ok: true }>['reason'], message: string): VerifyResult {
  return { ok: false, reason, message };
}

function isBase64(text: string): boolean {
  return text.length > 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0;
}

export function validateKrakenCredential(credential: Credential): void {
  if (!credential.apiKey || hasSpaceOrControl(credential.apiKey)) {
    throw new CredentialError('kraken apiKey is missing or contains whitespace');
  }
  if (!isBase64(credential.secret))
    throw new CredentialError('kraken secret must be base64 (as Kraken issues it)');
}

export function krakenClientKeyId(request: ExchangeRequest): string | undefined {
  return headerValue(request.headers, 'api-key');
}

export function verifyKrakenClient(
  request: ExchangeRequest,
  verifier: ClientVerifier,
  ctx: VerifyContext,
): VerifyResult {
  const apiKey = headerValue(request.headers, 'api-key');
  const sign = headerValue(request.headers, 'api-sign');
  if (!apiKey || !sign) return fail('missing_credentials', KRAKEN_ERRORS.invalidKey);
  if (!safeEqual(apiKey, verifier.apiKey)) return fail('missing_credentials', KRAKEN_ERRORS.invalidKey);
  const b = request.body === '' ? undefined : parseBody(request);
  if (b && !b.ok) return fail('malformed', `${KRAKEN_ERRORS.invalidArguments}:${b.message}`);
  const nonce = b?.ok ? field(b.body, 'nonce') : undefined;
  if (nonce === undefined || !/^\d{1,20}$/.test(nonce)) return fail('malformed', KRAKEN_ERRORS.invalidNonce);
  const expected = krakenSignature(request.path, nonce, request.body, verifier.secret);
  if (!safeEqual(expected, sign)) return fail('bad_signature', KRAKEN_ERRORS.invalidSignature);
  // Only an authentic request may advance the ledger, so forgeries cannot burn nonces.
  if (!ctx.nonces.accept(verifier.apiKey, BigInt(nonce)))
    return fail('nonce_reused', KRAKEN_ERRORS.invalidNonce);
  return { ok: true };
}

export function stripKrakenAuth(request: ExchangeRequest): ExchangeRequest {
  const headers = withoutHeaders(request.headers, AUTH_HEADERS);
  if (request.body === '' || !isJson(request)) {
    return { ...request, headers, body: dropRawParams(request.body, AUTH_PARAMS) };
  }
  const value = parseJsonRecord(request.body);
  if (!value) return { ...request, headers };
  for (const k of AUTH_PARAMS) delete value[k];
  return { ...request, headers, body: JSON.stringify(value) };
}

export function signKraken(
  request: ExchangeRequest,
  credential: Credential,
  ctx: SignContext,
): ExchangeRequest {
  // The body changes length when keywarden puts its own nonce in it.
  const headers = withoutHeaders(request.headers, [...AUTH_HEADERS, 'content-type', 'content-length']);
  if (privateMethod(request.path) === undefined) return { ...request, headers };
  const nonce = ctx.nonce.next();
  const stripped = stripKrakenAuth(request);
  let body: string;
  if (request.body !== '' && isJson(request)) {
    // Nonce first, the client's JSON kept byte for byte after it (as CCXT writes it).
    const inner = stripped.body.trim().slice(1, -1).trim();
    body = `{"nonce":"${nonce}"${inner === '' ? '' : `,${inner}`}}`;
    headers['Content-Type'] = 'application/json';
  } else {
    body = stripped.body === '' ? `nonce=${nonce}` : `nonce=${nonce}&${stripped.body}`;
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  headers['API-Key'] = credential.apiKey;
  headers['API-Sign'] = krakenSignature(request.path, nonce, body, credential.secret);
  return { ...request, method: 'POST', body, headers };
}

export const issueKrakenClientCredential = () =>
  issueSharedSecretCredential(53, randomBytes(64).toString('base64'));
