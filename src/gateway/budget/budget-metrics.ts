/**
 * Prometheus metrics of the rate budgets, on the process's registry: the latest reading of each
 * budget (used and remaining units, by exchange, scope and limit id) and counts of requests
 * answered without being sent and of exchange stops. Labels come from the monitor's closed sets
 * (LABEL_VALUES: exchange ids, the limit ids of src/exchanges/<name>/rate-rules.ts); never a key or an IP.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ExchangeId } from '../../core/index.js';
import { clampLabel } from '../../monitor/index.js';
import type { RateBudgetsHooks } from './rate-budgets.js';

const exchangeLabel = (e: ExchangeId) => clampLabel('exchange', e);

export function budgetMetrics(
  registry: Registry,
  prefix = 'keywarden_',
): Required<Pick<RateBudgetsHooks, 'onShed' | 'onReading'>> & {
  recordStop(exchange: ExchangeId, scope: 'ip' | 'key'): void;
} {
  // One registry may serve several gateways (tests, the demo): they share these metrics.
  const existing = <T>(name: string) => registry.getSingleMetric(`${prefix}${name}`) as T | undefined;
  const used =
    existing<Gauge>('rate_budget_used') ??
    new Gauge({
      name: `${prefix}rate_budget_used`,
      help: 'Latest reading of an exchange rate budget: units used in its current window (model or exchange header)',
      labelNames: ['exchange', 'scope', 'limit'],
      registers: [registry],
    });
  const remaining =
    existing<Gauge>('rate_budget_remaining') ??
    new Gauge({
      name: `${prefix}rate_budget_remaining`,
      help: 'Latest reading of an exchange rate budget: units keywarden still lets through in its current window',
      labelNames: ['exchange', 'scope', 'limit'],
      registers: [registry],
    });
  const shed =
    existing<Counter>('rate_budget_shed_total') ??
    new Counter({
      name: `${prefix}rate_budget_shed_total`,
      help: "Requests answered with the exchange's 429 shape instead of being sent, by reason",
      labelNames: ['exchange', 'reason'],
      registers: [registry],
    });
  const stops =
    existing<Counter>('rate_budget_stops_total') ??
    new Counter({
      name: `${prefix}rate_budget_stops_total`,
      help: 'Exchange 429/418 answers that stopped a key or the egress IP',
      labelNames: ['exchange', 'scope'],
      registers: [registry],
    });
  return {
    onShed(exchange, reason) {
      shed.inc({ exchange: exchangeLabel(exchange), reason });
    },
    onReading(r) {
      const labels = {
        exchange: exchangeLabel(r.exchange),
        scope: r.scope,
        limit: clampLabel('limit', r.limit),
      };
      used.set(labels, r.used);
      remaining.set(labels, Math.max(0, r.cap - r.used));
    },
    recordStop(exchange, scope) {
      stops.inc({ exchange: exchangeLabel(exchange), scope });
    },
  };
}
