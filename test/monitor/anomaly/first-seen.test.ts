import { describe, expect, it } from 'vitest';
import { normalTraffic, req } from '../fixtures.js';
import { detector, lastAt } from './helpers.js';

describe('first-seen symbol and source IP detectors', () => {
  it('stay quiet once the usual symbols and IP are learned (positive control)', () => {
    const d = detector();
    d.observe(normalTraffic(2));
    expect(d.alerts.filter((a) => a.rule === 'anomaly.new_symbol' || a.rule === 'anomaly.new_ip')).toEqual(
      [],
    );
  });

  it('flag a symbol the client never used, once, naming the usual ones', () => {
    const d = detector();
    const history = normalTraffic(1);
    d.observe(history);
    const at = lastAt(history) + 1000;
    d.observe([req(at, { symbols: ['DOGE/USDT'] }), req(at + 1, { symbols: ['DOGE/USDT'] })]);
    const hits = d.alerts.filter((a) => a.rule === 'anomaly.new_symbol');
    expect(hits).toHaveLength(1);
    expect(hits[0]?.message).toBe(
      'symbol DOGE/USDT seen for the first time (trade POST /api/v3/order); usual symbols: BTC/USDT, ETH/USDT',
    );
    expect(hits[0]?.dedupKey).toBe('anomaly.new_symbol:bot-a:DOGE/USDT');
  });

  it('flag a source IP the client never used, naming the usual one', () => {
    const d = detector();
    const history = normalTraffic(1);
    d.observe(history);
    d.observe([req(lastAt(history) + 1000, { sourceIp: '203.0.113.50' })]);
    const hits = d.alerts.filter((a) => a.rule === 'anomaly.new_ip');
    expect(hits).toHaveLength(1);
    expect(hits[0]?.message).toBe(
      'request from 203.0.113.50 seen for the first time; usual source IPs: 10.0.0.5',
    );
  });

  it('learn without alerting during warm-up, and never learn from rejected identities', () => {
    const d = detector({ warmup: { events: 50, minutes: 0 } });
    const start = Date.UTC(2026, 10, 2, 8);
    d.observe(Array.from({ length: 50 }, (_, i) => req(start + i * 1000, { symbols: [`C${i % 5}/USDT`] })));
    expect(d.alerts).toEqual([]);
    // An IP-allow-list rejection is not the client's traffic: its address must stay unknown.
    d.observe([
      req(start + 60_000, {
        sourceIp: '198.51.100.1',
        symbols: ['C0/USDT'],
        decision: 'deny',
        code: 'ip_not_allowed',
      }),
    ]);
    expect(d.alerts).toEqual([]);
    d.observe([req(start + 61_000, { sourceIp: '198.51.100.1', symbols: ['C0/USDT'] })]);
    expect(d.alerts.map((a) => a.rule)).toEqual(['anomaly.new_ip']);
  });

  it('honour a per-client warm-up override and per-client opt-out', () => {
    const d = detector(
      { warmup: { events: 1000, minutes: 0 } },
      { 'bot-a': { warmup: { events: 5, minutes: 0 } }, 'bot-c': { anomaly: false } },
    );
    const start = Date.UTC(2026, 10, 2, 8);
    d.observe(Array.from({ length: 6 }, (_, i) => req(start + i)));
    d.observe(Array.from({ length: 6 }, (_, i) => req(start + i, { client: 'bot-b' })));
    d.observe(Array.from({ length: 6 }, (_, i) => req(start + i, { client: 'bot-c' })));
    d.observe([
      req(start + 10, { symbols: ['XRP/USDT'] }),
      req(start + 10, { client: 'bot-b', symbols: ['XRP/USDT'] }),
      req(start + 10, { client: 'bot-c', symbols: ['XRP/USDT'] }),
    ]);
    expect(d.alerts.map((a) => [a.rule, a.client])).toEqual([['anomaly.new_symbol', 'bot-a']]);
  });
});
