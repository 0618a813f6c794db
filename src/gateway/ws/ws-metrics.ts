/** WebSocket metrics on the gateway's registry: open connections and frames by decision (closed label sets). */
import { Counter, Gauge } from 'prom-client';
import type { MonitorMetrics } from '../../monitor/index.js';

export type WsDecision = 'forwarded' | 'denied' | 'failed' | 'event';

export interface WsMetrics {
  opened(exchange: string): void;
  closed(exchange: string): void;
  frame(exchange: string, decision: WsDecision): void;
}

export function createWsMetrics(metrics: MonitorMetrics | undefined): WsMetrics {
  if (!metrics) return { opened() {}, closed() {}, frame() {} };
  const registers = [metrics.registry];
  const open = new Gauge({
    name: 'keywarden_ws_connections',
    help: 'Open client WebSocket connections',
    labelNames: ['exchange'],
    registers,
  });
  const frames = new Counter({
    name: 'keywarden_ws_frames_total',
    help: 'WebSocket frames: client requests by outcome, and events relayed',
    labelNames: ['exchange', 'decision'],
    registers,
  });
  return {
    opened: (exchange) => open.inc({ exchange }),
    closed: (exchange) => open.dec({ exchange }),
    frame: (exchange, decision) => frames.inc({ exchange, decision }),
  };
}
