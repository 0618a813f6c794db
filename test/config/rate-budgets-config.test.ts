import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/index.js';
import { RATE_RULES } from '../../src/exchanges/index.js';

describe('rateBudgets: config', () => {
  it('is on by default, in memory, failing closed, with a 1 s bounded wait', () => {
    expect(parseConfig({}).rateBudgets).toMatchObject({
      enabled: true,
      maxQueueMs: 1_000,
      headroomPercent: 5,
      store: { onError: 'closed' },
      limits: {},
    });
  });

  it('the example in docs/rate-budgets.md parses as written', () => {
    const md = readFileSync('docs/rate-budgets.md', 'utf8');
    const block = /```yaml\n([\s\S]*?)```/.exec(md)?.[1];
    expect(block).toBeDefined();
    const config = parseConfig(parse(block ?? ''));
    expect(config.rateBudgets.limits.binance).toEqual({ 'ip-weight-1m': 6000, 'key-orders-10s': 100 });
  });

  it('every limit id in docs/rate-budgets.md is one an exchange defines, and every one is documented', () => {
    const md = readFileSync('docs/rate-budgets.md', 'utf8');
    for (const [exchange, rules] of Object.entries(RATE_RULES))
      for (const l of rules.limits) expect(md, `${exchange} ${l.id}`).toContain(`\`${l.id}\``);
  });

  it('refuses an unknown key, a limit of another exchange and a bad store URL', () => {
    expect(() => parseConfig({ rateBudgets: { queue: 5 } })).toThrow();
    expect(() => parseConfig({ rateBudgets: { limits: { kraken: { 'ip-weight-1m': 5 } } } })).toThrow(
      /unknown limit/,
    );
    expect(() => parseConfig({ rateBudgets: { store: { url: 'http://127.0.0.1:6379' } } })).toThrow();
  });
});
