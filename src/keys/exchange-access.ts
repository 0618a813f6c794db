/**
 * How key checks, rotation and lockdown reach an exchange: the same configured base URLs and
 * upstream client the gateway uses (never an arbitrary URL), and a nonce sequence per key.
 * Inside `serve` the gateway's own upstreams and nonce sources are used; a one-shot CLI process
 * builds its own upstreams (src/cli/exchange-access.ts passes the gateway's HTTP client in, so
 * no domain imports the gateway) but draws nonces from the store's per-key sequences, the ones
 * a running gateway draws from too (src/store/nonce-sequence.ts), so neither can make the
 * other's request fail.
 */
import type { KeywardenConfig } from '../config/index.js';
import type { ExchangeId, LeasingNonceSource } from '../core/index.js';
import { KeywardenError } from '../core/index.js';
import type { NonceSource, Transport } from '../exchanges/index.js';
import { adapterFor } from '../exchanges/index.js';

export interface ExchangeAccess {
  baseUrl(exchange: ExchangeId): string;
  /** Sends one signed request to the exchange's base URL. Throws KeywardenError('upstream_failed'). */
  transport(exchange: ExchangeId): Transport;
  /** The nonce sequence a key signs with (Kraken rejects any nonce not above the last one it saw). */
  nonce(keyId: string): NonceSource;
  close(): Promise<void>;
}

/**
 * The nonce source for one call of a key check (or any signed call outside the gateway's
 * pipeline): on a shared sequence (PostgreSQL) its first draw is leased as the gateway's signing
 * is (src/store/pg-nonce-sequence.ts), so it is ordered against every instance's request in
 * flight for the key and cannot overtake one (Kraken's "EAPI:Invalid nonce"). A further draw
 * within the same call (a retry) is the unleased one, above this process's own draws. `release`
 * after the answer (or failure); idempotent. Elsewhere a plain pass-through.
 */
export async function leaseNonce(
  access: Pick<ExchangeAccess, 'nonce'>,
  keyId: string,
): Promise<NonceSource & { release(): void }> {
  const source = access.nonce(keyId);
  const lease = await (source as Partial<LeasingNonceSource>).lease?.();
  if (!lease) return { next: () => source.next(), release: () => undefined };
  let leased = false;
  return {
    next() {
      if (leased) return source.next();
      leased = true;
      return lease.next();
    },
    release: () => lease.release(),
  };
}

/** One exchange's HTTP client, as the gateway's upstream (src/gateway/upstream.ts) is. */
export interface Upstream {
  readonly baseUrl: string;
  send: Transport;
  close(): Promise<void>;
}

export type UpstreamFactory = (
  baseUrl: string,
  options: { connections: number; timeoutMs: number; keepAliveMs: number },
) => Upstream;

/**
 * For one-shot processes: one upstream per exchange actually used, from the validated config,
 * and the given nonce sequences (the store's, shared with the gateway and every other process).
 */
export function exchangeAccessFor(
  config: KeywardenConfig,
  nonceFor: (keyId: string) => NonceSource,
  createUpstream: UpstreamFactory,
): ExchangeAccess {
  const upstreams = new Map<ExchangeId, Upstream>();
  const baseUrl = (exchange: ExchangeId): string => {
    const conf = config.exchanges[exchange];
    if (conf?.enabled === false)
      throw new KeywardenError('invalid_config', `exchange ${exchange} is disabled in the configuration`);
    return conf?.baseUrl ?? adapterFor(exchange).defaultBaseUrl;
  };
  return {
    baseUrl,
    transport(exchange) {
      let up = upstreams.get(exchange);
      if (!up) {
        up = createUpstream(baseUrl(exchange), {
          connections: 2,
          timeoutMs: config.upstream.timeoutMs,
          keepAliveMs: config.upstream.keepAliveMs,
        });
        upstreams.set(exchange, up);
      }
      const upstream = up;
      return (request) => upstream.send(request);
    },
    nonce: nonceFor,
    async close() {
      await Promise.all([...upstreams.values()].map((u) => u.close()));
      upstreams.clear();
    },
  };
}

/** Inside `serve`: the gateway's own upstreams and per-key nonce sequences. */
export function exchangeAccessFrom(
  upstreams: Partial<Record<ExchangeId, Pick<Upstream, 'baseUrl' | 'send'>>>,
  nonceFor: (keyId: string) => NonceSource,
): ExchangeAccess {
  const get = (exchange: ExchangeId) => {
    const up = upstreams[exchange];
    if (!up) throw new KeywardenError('invalid_config', `exchange ${exchange} is not enabled`);
    return up;
  };
  return {
    baseUrl: (exchange) => get(exchange).baseUrl,
    transport(exchange) {
      const up = get(exchange);
      return (request) => up.send(request);
    },
    nonce: nonceFor,
    close: async () => {},
  };
}
