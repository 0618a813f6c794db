/**
 * A request as it crosses keywarden, as distinct stages. Each stage is branded, so a value of
 * one cannot stand in for another: the upstream accepts only a `SignedRequest` (what an adapter's
 * `sign` returned) or a `PublicRequest` (a stripped request to a public endpoint), never the raw
 * request a client sent. Only the constructor functions below make a branded value.
 *
 *   raw (bytes as received) → parsed (with the adapter's own parse of them) → intent (with what
 *   the request will do) → signed (exactly the bytes sent) | public
 */

/** The wire shape, relative to an exchange's base URL: `query` without `?`, `body` as raw text. */
export interface WireRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
}

declare const STAGE: unique symbol;
interface Stage<S extends string> {
  readonly [STAGE]: S;
}

/** Exactly what the client sent, below the gateway's `/<exchange>` prefix (header names lower-case). */
export type RawRequest = Readonly<WireRequest> & Stage<'raw'>;

/** A raw request the adapter parsed once (duplicates refused), carrying that parse (`params`). */
export interface ParsedRequest<P> extends Stage<'parsed'> {
  readonly raw: RawRequest;
  readonly params: P;
}

/** A parsed request with what it will do (`intent`: its classification, read from the parse). */
export interface IntentRequest<P, I> extends Stage<'intent'> {
  readonly parsed: ParsedRequest<P>;
  readonly intent: I;
}

/** Signed with the real credential by the adapter: exactly the request to send. */
export type SignedRequest = WireRequest & Stage<'signed'>;

/** A request to a public endpoint with every client auth field stripped: sent unsigned. */
export type PublicRequest = WireRequest & Stage<'public'>;

/** What an upstream may send. */
export type OutgoingRequest = SignedRequest | PublicRequest;

export function rawRequest(request: WireRequest): RawRequest {
  return request as RawRequest;
}

export function parsedRequest<P>(raw: RawRequest, params: P): ParsedRequest<P> {
  return { raw, params } as ParsedRequest<P>;
}

export function intentRequest<P, I>(parsed: ParsedRequest<P>, intent: I): IntentRequest<P, I> {
  return { parsed, intent } as IntentRequest<P, I>;
}

export function signedRequest(request: WireRequest): SignedRequest {
  return request as SignedRequest;
}

export function publicRequest(request: WireRequest): PublicRequest {
  return request as PublicRequest;
}

/**
 * What an adapter's request functions accept: the gateway's parsed request, whose parse they
 * read instead of parsing again, or a wire request (their own lookups, tests) that they parse.
 */
export type AdapterInput<P> = ParsedRequest<P> | Readonly<WireRequest>;

export function isParsedRequest<P>(request: AdapterInput<P>): request is ParsedRequest<P> {
  return 'raw' in request && 'params' in request;
}

/** The wire request behind an adapter input. */
export function wireOf<P>(request: AdapterInput<P>): Readonly<WireRequest> {
  return isParsedRequest(request) ? request.raw : request;
}
