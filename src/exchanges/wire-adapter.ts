/**
 * For an adapter whose request functions read the wire request (it carries no parse of its own,
 * or memoises it itself): the `ExchangeAdapter` whose functions take the gateway's parsed request
 * (or a wire one) and hand them the wire request behind it, and whose `sign` is branded. Without
 * this wrapper a function written for a wire request would receive the parsed one at run time
 * (method parameters are bivariant, so the compiler would not object).
 */
import { type AdapterInput, parsedRequest, rawRequest, signedRequest, wireOf } from '../core/index.js';
import type {
  ClientVerifier,
  Credential,
  ExchangeAdapter,
  ExchangeRequest,
  OrderIntent,
  SignContext,
  VerifyContext,
  VerifyResult,
  WireParseResult,
} from './adapter.js';

type RequestFunctions =
  | 'parse'
  | 'clientKeyId'
  | 'verifyClient'
  | 'stripAuth'
  | 'sign'
  | 'classify'
  | 'publicWeight'
  | 'restingOrderRequest';

export interface WireAdapter extends Omit<ExchangeAdapter<undefined>, RequestFunctions> {
  parse(request: ExchangeRequest): WireParseResult;
  clientKeyId(request: ExchangeRequest): string | undefined;
  verifyClient(request: ExchangeRequest, verifier: ClientVerifier, ctx: VerifyContext): VerifyResult;
  stripAuth(request: ExchangeRequest): ExchangeRequest;
  sign(request: ExchangeRequest, credential: Credential, ctx: SignContext): ExchangeRequest;
  classify(request: ExchangeRequest): ReturnType<ExchangeAdapter['classify']>;
  publicWeight?(request: ExchangeRequest): number;
  restingOrderRequest?(order: OrderIntent, request: ExchangeRequest): ExchangeRequest | undefined;
}

export function wireAdapter(a: WireAdapter): ExchangeAdapter<undefined> {
  const { publicWeight, restingOrderRequest } = a;
  return {
    ...a,
    parse(request) {
      const r = a.parse(request);
      return r.ok ? { ok: true, request: parsedRequest(rawRequest(r.request), undefined) } : r;
    },
    clientKeyId: (request: AdapterInput<undefined>) => a.clientKeyId(wireOf(request)),
    verifyClient: (request: AdapterInput<undefined>, verifier, ctx) =>
      a.verifyClient(wireOf(request), verifier, ctx),
    stripAuth: (request: AdapterInput<undefined>) => a.stripAuth(wireOf(request)),
    sign: (request, credential, ctx) => signedRequest(a.sign(request, credential, ctx)),
    classify: (request: AdapterInput<undefined>) => a.classify(wireOf(request)),
    ...(publicWeight
      ? { publicWeight: (request: AdapterInput<undefined>) => publicWeight(wireOf(request)) }
      : {}),
    ...(restingOrderRequest
      ? {
          restingOrderRequest: (order: OrderIntent, request: AdapterInput<undefined>) =>
            restingOrderRequest(order, wireOf(request)),
        }
      : {}),
  };
}
