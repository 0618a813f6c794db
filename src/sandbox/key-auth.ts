import type { ExchangeAdapter, VerifyResult } from '../exchanges/index.js';
import type { SandboxContext, SandboxKey, SandboxRequest } from './emulator.js';

/** True when the key has an IP allow-list and the request came from elsewhere. */
export function ipRefused(key: SandboxKey, request: SandboxRequest): boolean {
  return key.ipAllow !== undefined && !key.ipAllow.includes(request.sourceIp);
}

/** Checks the request's signature against the key with the same verifier the gateway uses for clients. */
export function verifyWithKey(
  adapter: Pick<ExchangeAdapter, 'verifyClient'>,
  request: SandboxRequest,
  key: SandboxKey,
  ctx: SandboxContext,
): VerifyResult {
  return adapter.verifyClient(
    request,
    { apiKey: key.credential.apiKey, secret: key.verifySecret },
    { clock: ctx.clock, nonces: ctx.nonces, origin: { host: request.host, prefix: request.prefix } },
  );
}
