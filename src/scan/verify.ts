import { request } from 'undici';
import type { ExchangeId } from '../core/index.js';
import { isExchangeId, KeywardenError } from '../core/index.js';
import type {
  Credential,
  ExchangeAdapter,
  ExchangeRequest,
  ExchangeResponse,
  Introspection,
  Transport,
} from '../exchanges/index.js';
import type { Finding } from './scan-types.js';

export interface VerifyOptions {
  adapters: Partial<Record<ExchangeId, ExchangeAdapter>>;
  /** Per-exchange base URL override (tests point these at the sandbox). */
  baseUrls: Partial<Record<ExchangeId, string>>;
  timeoutMs: number;
  /** Builds the transport; defaults to undici with timeouts. */
  transport?: (baseUrl: string, timeoutMs: number) => Transport;
  now?: () => number;
}

/** One request through undici, with connect/header/body timeouts; no retries, no redirects. */
export function undiciTransport(baseUrl: string, timeoutMs: number): Transport {
  return async (req: ExchangeRequest): Promise<ExchangeResponse> => {
    const url = `${baseUrl.replace(/\/$/, '')}${req.path}${req.query ? `?${req.query}` : ''}`;
    const res = await request(url, {
      method: req.method as 'GET',
      headers: req.headers,
      ...(req.body && req.method !== 'GET' ? { body: req.body } : {}),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode, headers, body: await res.body.text() };
  };
}

/** The credential a finding holds, in CCXT's field names, when it is complete enough to try. */
export function credentialOf(finding: Finding): Credential | undefined {
  const get = (part: string) => finding.parts.find((p) => p.part === part)?.value;
  const apiKey = get('apiKey');
  const secret = get('secret') ?? get('privateKey');
  if (!apiKey || !secret) return undefined;
  const password = get('password');
  return { apiKey, secret, ...(password ? { password } : {}) };
}

/** "live, can withdraw, no IP restriction" — what an introspection says, in one line. */
export function describeIntrospection(result: Introspection): string {
  if (!result.available) return `not live or not verifiable (${result.reason})`;
  const can = [
    result.canWithdraw ? 'can withdraw' : '',
    result.canTrade ? 'can trade' : '',
    result.canTransfer ? 'can transfer' : '',
    result.canRead && !result.canTrade && !result.canWithdraw ? 'read-only' : '',
  ].filter(Boolean);
  const ip = result.ipRestricted
    ? `IP-restricted${result.ipList ? ` (${result.ipList.join(', ')})` : ''}`
    : 'no IP restriction';
  return ['live', ...can, ip].join(', ');
}

/**
 * For exchange findings, one read-only introspection call through the exchange adapter
 * (the only request --verify ever sends). Sets `finding.verification`.
 */
export async function verifyFindings(findings: readonly Finding[], options: VerifyOptions): Promise<void> {
  const makeTransport = options.transport ?? undiciTransport;
  const now = options.now ?? Date.now;
  let nonce = BigInt(now()) * 1000n;
  for (const finding of findings) {
    const family = finding.family;
    if (!family || !isExchangeId(family)) continue;
    const adapter = options.adapters[family];
    if (!adapter) {
      finding.verification = 'not verified (no adapter for this exchange yet)';
      continue;
    }
    const credential = credentialOf(finding);
    if (!credential) {
      finding.verification = 'not verified (incomplete credential: key and secret not found together)';
      continue;
    }
    const baseUrl = options.baseUrls[family] ?? adapter.defaultBaseUrl;
    try {
      adapter.validateCredential(credential);
      const result = await adapter.introspect(credential, makeTransport(baseUrl, options.timeoutMs), {
        clock: { now },
        nonce: {
          next: () => {
            nonce += 1n;
            return nonce.toString();
          },
        },
        baseUrl,
      });
      finding.verification = describeIntrospection(result);
    } catch (err) {
      // Adapter and network errors may echo request details: report only the kind of failure.
      const kind =
        err instanceof KeywardenError && err.code === 'invalid_credential'
          ? 'malformed credential'
          : 'request failed';
      finding.verification = `not verified (${kind})`;
    }
  }
}
