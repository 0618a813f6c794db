/**
 * Binance authentication (exchanges.md §1): X-MBX-APIKEY, and a signature over the query string
 * concatenated with the form body exactly as sent; HMAC-SHA256 hex, or Ed25519 / RSA (PKCS#8
 * PEM in `secret`) base64 then percent-encoded, like CCXT.
 */
import { createHmac, createPrivateKey, createPublicKey, sign as cryptoSign, verify } from 'node:crypto';
import {
  type AdapterInput,
  randomToken,
  type SignedRequest,
  safeEqual,
  signedRequest,
  wireOf,
} from '../../core/index.js';
import {
  type ClientVerifier,
  type Credential,
  CredentialError,
  type ExchangeRequest,
  type SignContext,
  type VerifyContext,
  type VerifyResult,
} from '../adapter.js';
import { decodedName, dropRawParams, hasSpaceOrControl, headerValue, withoutHeaders } from '../http-text.js';
import { getParam, type Params, toNumber } from '../params.js';
import { issueSharedSecretCredential } from '../shared-secret.js';
import { baseAction, USER_STREAM } from './endpoints.js';
import { BINANCE_ERRORS } from './errors.js';
import { paramsOf } from './parse.js';
import { MAX_RECV_WINDOW_MS } from './schemas.js';

export const BINANCE_DEFAULT_RECV_WINDOW_MS = 5000;
export const BINANCE_MAX_RECV_WINDOW_MS = MAX_RECV_WINDOW_MS;
/** Binance refuses a timestamp this far or more ahead of its clock. */
const BINANCE_AHEAD_MS = 1000;

const AUTH_PARAMS = ['signature', 'timestamp'] as const;
const API_KEY_HEADER = 'x-mbx-apikey';

/** Verify the client's Binance signature over `payload`: HMAC hex (case-insensitive) or Ed25519/RSA with a public key. */
const secretIsPublicKey = (secret: string) => secret.includes('PUBLIC KEY');

function signatureMatches(payload: string, signature: string, secret: string): boolean {
  if (secretIsPublicKey(secret)) {
    try {
      const key = createPublicKey(secret);
      const sig = Buffer.from(signature, 'base64');
      if (sig.toString('base64') !== signature) return false;
      const alg = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
      return verify(alg, Buffer.from(payload), key, sig);
    } catch {
      return false;
    }
  }
  const expected = createHmac('sha256', secret).update(payload).digest('hex');
  return safeEqual(expected, signature.toLowerCase());
}

/** Sign `payload` with a Binance credential secret: HMAC hex, or Ed25519/RSA base64 percent-encoded. */
export function binanceSignature(payload: string, secret: string): string {
  if (secret.includes('PRIVATE KEY')) {
    const key = createPrivateKey(secret);
    const alg = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    return encodeURIComponent(cryptoSign(alg, Buffer.from(payload), key).toString('base64'));
  }
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/** Remove `signature=…` from whichever part carries it; returns the signed payload and the signature. */
function splitSignature(request: ExchangeRequest): { payload: string; signature: string } | undefined {
  const take = (raw: string): { rest: string; sig?: string } => {
    const parts = raw === '' ? [] : raw.split('&');
    const idx = parts.findIndex((p) => decodedName(p) === 'signature');
    if (idx === -1) return { rest: raw };
    const seg = parts[idx] ?? '';
    parts.splice(idx, 1);
    return { rest: parts.join('&'), sig: seg.slice(seg.indexOf('=') + 1) };
  };
  const q = take(request.query);
  const b = take(request.body);
  const raw = q.sig ?? b.sig;
  if (raw === undefined) return undefined;
  let signature: string;
  try {
    signature = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return { payload: q.rest + b.rest, signature };
}

function fail(reason: Exclude<VerifyResult, { ok: true }>['reason'], message: string): VerifyResult {
  return { ok: false, reason, message };
}

function clampRecvWindow(raw: string): string {
  return raw
    .split('&')
    .map((s) => {
      if (decodedName(s) !== 'recvWindow') return s;
      const n = toNumber(decodeURIComponent(s.slice(s.indexOf('=') + 1)));
      return n !== undefined && n > BINANCE_MAX_RECV_WINDOW_MS
        ? `recvWindow=${BINANCE_MAX_RECV_WINDOW_MS}`
        : s;
    })
    .join('&');
}

export function validateBinanceCredential(credential: Credential): void {
  if (!credential.apiKey || hasSpaceOrControl(credential.apiKey)) {
    throw new CredentialError('binance apiKey is missing or contains whitespace');
  }
  if (!credential.secret) throw new CredentialError('binance secret is missing');
  if (credential.secret.includes('PRIVATE KEY')) {
    let type: string | undefined;
    try {
      type = createPrivateKey(credential.secret).asymmetricKeyType;
    } catch {
      throw new CredentialError('binance secret is not a valid PKCS#8 private key PEM');
    }
    if (type !== 'ed25519' && type !== 'rsa') {
      throw new CredentialError('binance private keys must be Ed25519 or RSA');
    }
  } else if (hasSpaceOrControl(credential.secret)) {
    throw new CredentialError('binance HMAC secret contains whitespace');
  }
}

export function binanceClientKeyId(request: AdapterInput<Params>): string | undefined {
  return headerValue(wireOf(request).headers, API_KEY_HEADER);
}

export function verifyBinanceClient(
  input: AdapterInput<Params>,
  verifier: ClientVerifier,
  ctx: VerifyContext,
): VerifyResult {
  const request = wireOf(input);
  const apiKey = headerValue(request.headers, API_KEY_HEADER);
  if (apiKey === undefined || apiKey === '')
    return fail('missing_credentials', BINANCE_ERRORS.badApiKeyFormat.msg);
  if (!safeEqual(apiKey, verifier.apiKey)) return fail('missing_credentials', BINANCE_ERRORS.rejectedKey.msg);
  const params = paramsOf(input);
  if (!params.ok) return fail('malformed', params.message);
  const split = splitSignature(request);
  if (!split) return fail('bad_signature', BINANCE_ERRORS.invalidSignature.msg);
  if (!signatureMatches(split.payload, split.signature, verifier.secret)) {
    return fail('bad_signature', BINANCE_ERRORS.invalidSignature.msg);
  }
  const rawTs = getParam(params.params, 'timestamp');
  if (rawTs === undefined || !/^\d{1,17}$/.test(rawTs))
    return fail('malformed', BINANCE_ERRORS.mandatoryParam.msg);
  // Microsecond timestamps are 16 digits; Binance accepts both units.
  const ts = rawTs.length >= 16 ? Number(rawTs) / 1000 : Number(rawTs);
  const rawWindow = getParam(params.params, 'recvWindow');
  let recvWindow = BINANCE_DEFAULT_RECV_WINDOW_MS;
  if (rawWindow !== undefined) {
    const n = /^\d+(\.\d{1,3})?$/.test(rawWindow) ? Number(rawWindow) : undefined;
    if (n === undefined || n > BINANCE_MAX_RECV_WINDOW_MS)
      return fail('malformed', BINANCE_ERRORS.badRecvWindow.msg);
    recvWindow = n;
  }
  const now = ctx.clock.now();
  if (ts >= now + BINANCE_AHEAD_MS) return fail('stale_timestamp', BINANCE_ERRORS.aheadTimestamp.msg);
  if (now - ts > recvWindow) return fail('stale_timestamp', BINANCE_ERRORS.invalidTimestamp.msg);
  // The same signed bytes stay acceptable from 1000 ms before their timestamp until recvWindow after it.
  // The signature does not cover the path: CCXT's parallel loadMarkets reads sign equal payloads.
  const sig = secretIsPublicKey(verifier.secret) ? split.signature : split.signature.toLowerCase();
  const replayKey = `${request.method.toUpperCase()} ${request.path} ${sig}`;
  return { ok: true, replayKey, replayWindowMs: Math.ceil(recvWindow) + BINANCE_AHEAD_MS };
}

export function stripBinanceAuth(input: AdapterInput<Params>): ExchangeRequest {
  const request = wireOf(input);
  return {
    ...request,
    query: dropRawParams(request.query, AUTH_PARAMS),
    body: dropRawParams(request.body, AUTH_PARAMS),
    headers: withoutHeaders(request.headers, [API_KEY_HEADER]),
  };
}

export function signBinance(
  request: ExchangeRequest,
  credential: Credential,
  ctx: SignContext,
): SignedRequest {
  const method = request.method.toUpperCase();
  const path = request.path.replace(/\/+$/, '');
  if (baseAction(method, path) === 'public' || USER_STREAM.includes(path)) {
    // Public and user-stream endpoints take the API key at most, never a signature (as CCXT sends them).
    const headers = withoutHeaders(request.headers, [API_KEY_HEADER]);
    headers['X-MBX-APIKEY'] = credential.apiKey;
    return signedRequest({ ...request, method, headers });
  }
  let query = clampRecvWindow(dropRawParams(request.query, AUTH_PARAMS));
  let body = clampRecvWindow(dropRawParams(request.body, AUTH_PARAMS));
  const inBody = method !== 'GET' && (body !== '' || (query === '' && method !== 'DELETE'));
  const timestamp = `timestamp=${Math.floor(ctx.clock.now())}`;
  // CCXT puts timestamp first; doing the same keeps our requests byte-identical to a direct CCXT call.
  if (inBody) body = body === '' ? timestamp : `${timestamp}&${body}`;
  else query = query === '' ? timestamp : `${timestamp}&${query}`;
  const signature = `signature=${binanceSignature(query + body, credential.secret)}`;
  if (inBody) body = `${body}&${signature}`;
  else query = `${query}&${signature}`;
  // The body changes length when keywarden adds its timestamp and signature.
  const headers = withoutHeaders(request.headers, [API_KEY_HEADER, 'content-type', 'content-length']);
  headers['X-MBX-APIKEY'] = credential.apiKey;
  if (body !== '') headers['Content-Type'] = 'application/x-www-form-urlencoded';
  return signedRequest({ ...request, method, query, body, headers });
}

export const issueBinanceClientCredential = () => issueSharedSecretCredential(60, randomToken(64));
