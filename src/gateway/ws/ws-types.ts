/** What the WebSocket edge needs from the gateway: built once by createGateway, shared by every connection. */
import type { AuditLog } from '../../audit/index.js';
import type { KeywardenConfig } from '../../config/index.js';
import type { Clock, ExchangeId } from '../../core/index.js';
import type { ExchangeAdapter } from '../../exchanges/index.js';
import type { MonitorMetrics } from '../../monitor/index.js';
import type { ClientCache } from '../client-cache.js';
import type { Pipeline, Report } from '../pipeline/index.js';
import type { Upstream } from '../upstream.js';

export interface WsHooks {
  config: KeywardenConfig;
  clock: Clock;
  adapters: Partial<Record<ExchangeId, ExchangeAdapter>>;
  upstreams: Partial<Record<ExchangeId, Upstream>>;
  /** The gateway's pipeline over one connection's own adapter and upstream (the stages, services and caches are shared). */
  pipelineFor(exchange: ExchangeId, adapter: ExchangeAdapter, upstream: Upstream): Pipeline;
  report: Report;
  audit: AuditLog;
  clients: ClientCache;
  isSealed(): boolean;
  metrics?: MonitorMetrics;
  onError(requestId: string, err: unknown): void;
}
