/** WebSocket metrics land on the gateway's registry with closed label sets (exchange, decision). */
import { describe, expect, it } from 'vitest';
import { createWsMetrics } from '../../../src/gateway/ws/ws-metrics.js';
import { createMetrics } from '../../../src/monitor/index.js';

describe('WebSocket metrics', () => {
  it('counts open connections and frames by decision', async () => {
    const registry = createMetrics();
    const m = createWsMetrics(registry);
    m.opened('binance');
    m.opened('binance');
    m.closed('binance');
    m.frame('binance', 'denied');
    const text = await registry.render();
    expect(text).toContain('keywarden_ws_connections{exchange="binance"} 1');
    expect(text).toContain('keywarden_ws_frames_total{exchange="binance",decision="denied"} 1');
  });
});
