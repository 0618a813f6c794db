/** What the WebSocket edge needs from the gateway: built once by createGateway, shared by every connection. */
import type { AuditLog } from '../../audit/index.js';
import type { KeywardenConfig } from '../../config/index.js';
import type { Clock, ExchangeId } from '../../core/index.js';
import type { ExchangeAdapter } from '../../exchanges/index.js';
import type { KeyRecord } from '../../keys/index.js';
import type { MonitorMetrics } from '../../monitor/index.js';
import type { ClientCache, ClientLookup } from '../client-cache.js';
import type { Pipeline, Report, Resign } from '../pipeline/index.js';
import type { Upstream } from '../upstream.js';

export interface WsHooks {
  config: KeywardenConfig;
  clock: Clock;
  adapters: Partial<Record<ExchangeId, ExchangeAdapter>>;
  upstreams: Partial<Record<ExchangeId, Upstream>>;
  /** The gateway's pipeline over one connection's own adapter and upstream (the stages, services and caches are shared). */
  pipelineFor(exchange: ExchangeId, adapter: ExchangeAdapter, upstream: Upstream): Pipeline;
  report: Report;
  /** What re-opening a connection's upstream needs (ws-resume.ts); no client frame reaches it. */
  resume: {
    /** The exchange key's record as the pipeline signs with it now (`view`: the client state just read). */
    key(keyId: string, view: ClientLookup): Promise<KeyRecord | undefined>;
    /** The pipeline's resume entry: a decided request re-signed with `key` for another upstream. */
    resign: Resign;
  };
  audit: AuditLog;
  clients: ClientCache;
  isSealed(): boolean;
  metrics?: MonitorMetrics;
  onError(requestId: string, err: unknown): void;
}
