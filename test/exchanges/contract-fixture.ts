/**
 * What one exchange tells the adapter contract suite (test/exchanges/contract.test.ts): sample
 * requests in its own encoding, where its auth lives, the shape of its errors, its published
 * signing vectors and its CCXT id. Everything else the suite reads from the adapter and the
 * emulator themselves, so a fixture holds data about the exchange, never a check of its own.
 */
import type { z } from 'zod';
import type { ExchangeErrorKind, ExchangeId } from '../../src/core/index.js';
import type {
  ClientVerifier,
  Credential,
  ExchangeRequest,
  ExchangeResponse,
} from '../../src/exchanges/index.js';

/** Parameters in the order they are sent. */
export type Params = Array<[string, string]>;

/** Where a request's signature is, read and written the same way for every sample. */
export interface SignatureSlot {
  get(request: ExchangeRequest): string | undefined;
  set(request: ExchangeRequest, signature: string): ExchangeRequest;
}

/** A private request a bot sends, built with extra parameters in the exchange's own encoding. */
export interface PrivateSample {
  name: string;
  build(extra: Params): ExchangeRequest;
  /**
   * The parts of this request the exchange's signature covers: a one-byte change there is refused,
   * a change elsewhere is not (so the list is exactly what the scheme signs, nothing more).
   */
  signed: ReadonlyArray<'query' | 'body'>;
}

/** A request line on which `parse` should see one parameter twice. */
export interface Target {
  method: string;
  path: string;
}

/** A request the exchange documents (or exchanges.md computes) with its exact signature. */
export interface SignVector {
  name: string;
  /** `official` when the exchange publishes it; `self-computed` when exchanges.md derived it. */
  source: 'official' | 'self-computed';
  credential: Credential;
  request: ExchangeRequest;
  at: { nowMs: number; nonce?: string; baseUrl?: string };
  /** What `sign` must produce: these headers (names as written), and body and query when given. */
  expect: { headers?: Record<string, string>; body?: string; query?: string };
}

export interface VerifyVector {
  name: string;
  source: 'official' | 'self-computed';
  verifier: ClientVerifier;
  /** The documented signed request, as a bot would send it. */
  request: ExchangeRequest;
  nowMs: number;
}

/** One CCXT implicit-API call, as `Exchange.sign(path, api, method, params)` takes it. */
export interface CcxtCall {
  path: string;
  api: string | string[];
  method: string;
  params: Record<string, unknown>;
}

export interface ContractFixture {
  /** Equals the fixture's file name and the adapter's registry key. */
  id: ExchangeId;
  /** Private requests; the first is a read the emulator answers for its seeded `read` key. */
  samples: readonly [PrivateSample, ...PrivateSample[]];
  /** Lower-case header names and parameter names that carry a client's credentials. */
  authHeaders: readonly string[];
  authParams: readonly string[];
  signature: SignatureSlot;
  /** `timestamp`: a signature goes stale with time; `nonce`: a signature is good once (Kraken). */
  freshness: 'timestamp' | 'nonce';
  /** The encodings this exchange's `parse` reads, each on a request line it accepts. */
  duplicates: Partial<Record<'query' | 'form' | 'json', Target>>;
  /** The exchange's error body (JSON-decoded, or the raw text when it is not JSON); refuses success bodies. */
  errorBody: z.ZodType;
  /**
   * `http`: the status says what failed (4xx, 429, 5xx); `body`: every error is HTTP 200 and the
   * body's code says it (Kraken, Bybit).
   */
  errorStatus: 'http' | 'body';
  /** Kinds whose exchange answer has no room for a message (Coinbase's bare `Unauthorized`). */
  messageDropped?: readonly ExchangeErrorKind[];
  /**
   * Permissions `introspect` reports more broadly than the key has them, each with the reason:
   * reporting more is the safe error (posture warns), reporting less never passes.
   */
  introspectionOverReports?: Partial<Record<'canTransfer' | 'canWithdraw', string>>;
  signVectors: readonly SignVector[];
  verifyVectors: readonly VerifyVector[];
  /** CCXT's id and one private call, or why CCXT cannot be the oracle for this exchange. */
  ccxt: { id: string; call: CcxtCall } | { unsupported: string };
  /**
   * The auth a signed request carries, in a form two signers of the same request agree on
   * (header values; for a JWT its claims, since the ECDSA signature and nonce are random).
   */
  authOf(request: ExchangeRequest): unknown;
}

/** The body as the shape check reads it: JSON-decoded, or the raw text when it is not JSON. */
export function bodyValue(response: ExchangeResponse): unknown {
  try {
    return JSON.parse(response.body);
  } catch {
    return response.body;
  }
}

function headerOf(request: ExchangeRequest, name: string): string | undefined {
  for (const [k, v] of Object.entries(request.headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/** The signature in one header (any spelling of its name). */
export function headerSignature(name: string): SignatureSlot {
  return {
    get: (request) => headerOf(request, name),
    set(request, signature) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers))
        headers[k] = k.toLowerCase() === name ? signature : v;
      return { ...request, headers };
    },
  };
}

function paramValue(raw: string, name: string): string | undefined {
  for (const part of raw.split('&')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq) === name) return part.slice(eq + 1);
  }
  return undefined;
}

function withParam(raw: string, name: string, value: string): string {
  return raw
    .split('&')
    .map((part) => (part.startsWith(`${name}=`) ? `${name}=${value}` : part))
    .join('&');
}

/** The signature as a query or form parameter (whichever part carries it), raw as sent. */
export function paramSignature(name: string): SignatureSlot {
  return {
    get: (request) => paramValue(request.query, name) ?? paramValue(request.body, name),
    set: (request, signature) =>
      paramValue(request.query, name) !== undefined
        ? { ...request, query: withParam(request.query, name, signature) }
        : { ...request, body: withParam(request.body, name, signature) },
  };
}

/** Query or form text from parameters, percent-encoded as CCXT's `urlencode` does. */
export function encode(params: Params): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** The auth header values of a signed request, by lower-case name. */
export function headerAuth(names: readonly string[]) {
  return (request: ExchangeRequest): Record<string, string | undefined> =>
    Object.fromEntries(names.map((n) => [n, headerOf(request, n)]));
}

export function request(
  partial: Partial<ExchangeRequest> & { method: string; path: string },
): ExchangeRequest {
  return { query: '', headers: {}, body: '', ...partial };
}
