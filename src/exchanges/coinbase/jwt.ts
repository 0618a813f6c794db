/**
 * Coinbase CDP JWTs: built as the official SDKs build them, decoded, and verified the way
 * Coinbase verifies them. The JWT binds method, host and path (`uri` claim), not query or body.
 */
import {
  createHash,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { safeEqual } from '../../core/index.js';
import type { VerifyResult } from '../adapter.js';
import { isRecord } from '../strict-json.js';
import type { CoinbaseSigningKey } from './signing-key.js';

/** Coinbase documents a 2-minute JWT lifetime; the official SDK signs `exp = nbf + 120`. */
export const JWT_LIFETIME_SECONDS = 120;
/** Tolerated clock skew for `nbf` (Coinbase does not document one). */
const NBF_SKEW_SECONDS = 30;
/**
 * A client JWT may not live longer than Coinbase's documented 2 minutes (`exp - nbf`), nor end
 * later than that plus the `nbf` skew from now: its replay window is then at most 150 s.
 */
const MAX_EXP_AHEAD_SECONDS = JWT_LIFETIME_SECONDS + NBF_SKEW_SECONDS;

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
  /** The request it authorises; absent for a WebSocket JWT (Coinbase's WebSocket JWTs name no uri). */
  uri?: string;
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
  if (key.kind === 'es256') {
    if (uri !== undefined) claims.uri = uri;
  } else {
    claims.aud = ['cdp_service'];
    if (uri !== undefined) claims.uris = [uri];
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
  const signed = verifySignedJwt(token, check);
  if (!signed.ok) return signed;
  const { jwt } = signed;
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
    replayWindowMs: signed.replayWindowMs,
  };
}

/**
 * Verify a WebSocket JWT (the `jwt` of a user-channel subscribe): signature, key, `nbf`/`exp`
 * and the 2-minute lifetime as for REST. Coinbase's WebSocket JWT names no request, and one is
 * reused for every subscription of its 2 minutes (CCXT does), so it gives no replay key.
 * `strict` (keywarden) refuses a JWT that names a request (`uri`, `uris`): a REST JWT is no
 * WebSocket credential. Coinbase itself (the sandbox) does not check that.
 */
export function verifyWsJwt(
  token: string | undefined,
  check: Omit<JwtCheck, 'method' | 'target'>,
  strict: boolean,
): VerifyResult {
  const signed = verifySignedJwt(token, check);
  if (!signed.ok) return signed;
  if (strict && (signed.jwt.claims.uri !== undefined || signed.jwt.claims.uris !== undefined))
    return { ok: false, reason: 'bad_signature', message: 'a REST JWT (with a uri) is not a WebSocket JWT' };
  return { ok: true };
}

function verifySignedJwt(
  token: string | undefined,
  check: Omit<JwtCheck, 'method' | 'target'>,
): { ok: true; jwt: DecodedJwt; replayWindowMs: number } | Extract<VerifyResult, { ok: false }> {
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
  return { ok: true, jwt, replayWindowMs: (exp - check.nowSeconds) * 1000 + 1000 };
}
