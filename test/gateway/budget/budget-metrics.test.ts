import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { rateBudgetsConfigSchema } from '../../../src/config/index.js';
import { RATE_RULES } from '../../../src/exchanges/index.js';
import {
  budgetMetrics,
  createMemoryBudgetStore,
  createRateBudgets,
} from '../../../src/gateway/budget/index.js';

describe('rate budget metrics', () => {
  it('exposes used/remaining per exchange, scope and limit, and counts sheds by reason, naming no key', async () => {
    const registry = new Registry();
    const m = budgetMetrics(registry);
    let t = 60_000;
    const budgets = createRateBudgets({
      config: rateBudgetsConfigSchema.parse({
        headroomPercent: 0,
        maxQueueMs: 0,
        limits: { binance: { 'ip-weight-1m': 50 } },
      }),
      rules: RATE_RULES,
      store: createMemoryBudgetStore(),
      clock: { now: () => t },
      hooks: { onShed: m.onShed, onReading: m.onReading },
    });
    const subject = { exchange: 'binance' as const, key: { id: 'kw_secretish_id', label: 'desk-label' } };
    const account = { method: 'GET', path: '/api/v3/account', query: '', body: '' };
    await budgets.acquire(subject, account);
    await budgets.acquire(subject, account);
    await budgets.acquire(subject, account);
    t += 1;
    const text = await registry.metrics();
    expect(text).toContain(
      'keywarden_rate_budget_used{exchange="binance",scope="ip",limit="ip-weight-1m"} 40',
    );
    expect(text).toContain(
      'keywarden_rate_budget_remaining{exchange="binance",scope="ip",limit="ip-weight-1m"} 10',
    );
    expect(text).toContain('keywarden_rate_budget_shed_total{exchange="binance",reason="budget"} 1');
    expect(text).not.toContain('kw_secretish_id');
    expect(text).not.toContain('desk-label');
    // A second gateway on the same registry shares the metrics instead of failing to register them.
    expect(() => budgetMetrics(registry)).not.toThrow();
  });
});
