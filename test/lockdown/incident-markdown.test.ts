/**
 * The incident report's Markdown is a pure function of its data: a hand-built IncidentData
 * (no store, no audit trail) renders every section, escapes what came from requests, and
 * names the next steps for each key and client.
 */
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/index.js';
import { type IncidentData, renderIncidentMarkdown } from '../../src/lockdown/index.js';

const T = Date.UTC(2026, 0, 2, 3, 4, 5);

function record(over: Partial<AuditRecord>): AuditRecord {
  return { seq: 1, at: T, hash: 'h', prevHash: 'p', kind: 'request', ...over } as AuditRecord;
}

const data: IncidentData = {
  lockdown: {
    id: 'ld_1',
    scope: 'key',
    target: { id: 'key_1', label: 'main' },
    reason: 'leak <script>',
    actor: 'cli:alice',
    startedAt: T,
    clients: [{ id: 'cl_1', name: 'bot', exchange: 'binance', keyId: 'key_1' }],
    frozen: ['bot'],
    alreadyFrozen: [],
    cancel: [{ keyId: 'key_1', keyLabel: 'main', exchange: 'binance', cancelled: 2, failed: [] }],
  },
  hours: 24,
  since: T - 86_400_000,
  now: T,
  keyLabels: new Map([['key_1', 'main']]),
  requests: 3,
  first: T - 1000,
  last: T,
  totals: { allow: 2, deny: 1, wouldDeny: 0 },
  byAction: [
    { client: 'bot', action: 'trade', allow: 2, deny: 0, wouldDeny: 0 },
    { client: 'bot', action: 'withdraw', allow: 0, deny: 1, wouldDeny: 0 },
  ],
  denialCount: 1,
  byRule: [{ rule: 'actions', count: 1, clients: ['bot'], last: T }],
  denials: [
    record({
      seq: 3,
      actor: 'bot',
      action: 'withdraw',
      endpoint: 'POST /sapi/v1/capital/withdraw/apply',
      rule: 'actions',
      sourceIp: '203.0.113.9',
      message: '**bold** | pipe',
      decision: 'deny',
    }),
  ],
  moveCount: 1,
  moves: [
    record({
      seq: 3,
      actor: 'bot',
      action: 'withdraw',
      endpoint: 'POST /w',
      decision: 'deny',
      rule: 'actions',
      sourceIp: '203.0.113.9',
    }),
  ],
  ips: [{ ip: '203.0.113.9', requests: 3, denied: 1, clients: ['bot'], first: T - 1000, last: T }],
  orderCount: 2,
  orderGroups: [{ client: 'bot', symbol: 'BTC/USDT', side: 'buy', count: 2, notional: 1180 }],
  orders: [
    {
      record: record({
        seq: 2,
        actor: 'bot',
        endpoint: 'POST /api/v3/order',
        symbol: 'BTC/USDT',
        side: 'buy',
        notional: 590,
      }),
      upstreamStatus: 200,
    },
    {
      record: record({
        seq: 1,
        actor: 'bot',
        endpoint: 'POST /api/v3/order',
        symbol: 'BTC/USDT',
        side: 'buy',
        notional: 590,
      }),
    },
  ],
  alerts: [{ rule: 'withdraw.attempt', severity: 'critical', count: 1, last: T }],
  admin: [
    record({ seq: 4, kind: 'admin', action: 'client.freeze', actor: 'cli:alice', detail: { name: 'bot' } }),
  ],
  keys: [
    {
      label: 'main',
      exchange: 'binance',
      deleteKey: 'API Management → Delete',
      apiKeysUrl: 'https://example.test/keys',
    },
  ],
};

describe('renderIncidentMarkdown', () => {
  const md = renderIncidentMarkdown(data);

  it('renders every section from the data alone', () => {
    for (const heading of [
      '# Incident report: lockdown `ld_1`',
      '## Clients locked down',
      '## Open orders cancelled',
      '## Summary',
      '## Requests by action and decision',
      '## Denials',
      '## Withdrawal and transfer attempts',
      '## Source IPs seen',
      '## Orders placed',
      '## Alerts raised',
      '## Admin actions on these clients',
      '## Next steps',
    ])
      expect(md).toContain(heading);
    expect(md).toContain(
      '3 request(s) from the affected clients between 2026-01-02T03:04:04Z and 2026-01-02T03:04:05Z: 2 allowed, 1 denied, 0 let through in monitor mode',
    );
    expect(md).toContain('| `bot` | `BTC/USDT` | buy | 2 | 1180.00 |');
    expect(md).toContain('HTTP 200');
    expect(md).toContain('no answer recorded');
    expect(md).toContain('| `withdraw.attempt` | critical | 1 |');
  });

  it('escapes request-supplied text', () => {
    expect(md).toContain('leak &lt;script&gt;');
    expect(md).toContain('\\*\\*bold\\*\\* \\| pipe');
    expect(md).not.toContain('<script>');
  });

  it('names the next steps for the key and the client', () => {
    expect(md).toContain('`main` on binance: API Management → Delete \\(https://example.test/keys\\)');
    expect(md).toContain('`keywarden key rotate main`');
    expect(md).toContain('`keywarden client reroll bot`');
    expect(md).toContain("`keywarden unlock --key main --reason '<what was found and fixed>'`");
  });
});
