/**
 * Every adapter carries its exchange's console guidance (`ExchangeAdapter.console`): posture
 * fixes and incident reports quote it verbatim, so a missing, blank or plain-http entry would
 * reach an operator in the middle of an incident.
 */
import { describe, expect, it } from 'vitest';
import { EXCHANGE_IDS, type ExchangeId } from '../../src/core/index.js';
import type { ExchangeConsole } from '../../src/exchanges/adapter.js';
import { ADAPTERS, adapterFor } from '../../src/exchanges/index.js';

/** Every field of ExchangeConsole and its type; `satisfies` fails to compile when the interface changes. */
const FIELDS = {
  name: 'string',
  apiKeysUrl: 'string',
  disableWithdrawals: 'string',
  disableTransfers: 'string',
  restrictIp: 'string',
  deleteKey: 'string',
  permissionsEditable: 'boolean',
  reportsIpRestriction: 'boolean',
} as const satisfies Record<keyof ExchangeConsole, 'string' | 'boolean'>;

/** The console paths an operator follows by hand; each names the exchange so it reads alone. */
const PATHS = ['disableWithdrawals', 'disableTransfers', 'restrictIp', 'deleteKey'] as const;

/** What is wrong with one exchange's console guidance (empty when nothing is). */
function consoleProblems(id: ExchangeId, site: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [field, type] of Object.entries(FIELDS)) {
    const value = site[field];
    if (typeof value !== type) problems.push(`${field}: not a ${type}`);
    else if (typeof value === 'string' && (value.trim() !== value || value === '' || /[\r\n]/.test(value)))
      problems.push(`${field}: blank, padded or multi-line`);
  }
  for (const field of Object.keys(site))
    if (!(field in FIELDS)) problems.push(`${field}: not an ExchangeConsole field`);
  const url = site.apiKeysUrl;
  if (typeof url === 'string') {
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'https:') problems.push('apiKeysUrl: not https');
      if (!parsed.hostname.endsWith(`${id}.com`)) problems.push(`apiKeysUrl: not on ${id}.com`);
    } catch {
      problems.push('apiKeysUrl: not a URL');
    }
  }
  for (const [field, value] of Object.entries(site)) {
    if (typeof value !== 'string') continue;
    for (const link of value.match(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi) ?? [])
      if (!link.startsWith('https://')) problems.push(`${field}: link ${link} is not https`);
  }
  const name = site.name;
  if (typeof name === 'string')
    for (const field of PATHS) {
      const text = site[field];
      if (typeof text === 'string' && !text.includes(name)) problems.push(`${field}: does not name ${name}`);
    }
  return problems;
}

describe('ExchangeAdapter.console', () => {
  it('is provided by an adapter for every exchange id', () => {
    expect(Object.keys(ADAPTERS).sort()).toEqual([...EXCHANGE_IDS].sort());
    for (const id of EXCHANGE_IDS) expect(adapterFor(id).console, id).toBeTypeOf('object');
  });

  it.each(EXCHANGE_IDS)(
    '%s: every field present, non-empty, https links, paths naming the exchange',
    (id) => {
      expect(consoleProblems(id, { ...adapterFor(id).console })).toEqual([]);
    },
  );

  it('gives each exchange its own name and key page', () => {
    const sites = EXCHANGE_IDS.map((id) => adapterFor(id).console);
    expect(new Set(sites.map((s) => s.name)).size).toBe(EXCHANGE_IDS.length);
    expect(new Set(sites.map((s) => s.apiKeysUrl)).size).toBe(EXCHANGE_IDS.length);
  });

  it('catches what it checks for (control)', () => {
    const good = { ...adapterFor('binance').console };
    expect(consoleProblems('binance', good)).toEqual([]);
    const bad = {
      ...good,
      apiKeysUrl: 'http://www.binance.com/en/my/settings/api-management',
      deleteKey: '',
      restrictIp: 'API Management → see http://example.com/ip',
      permissionsEditable: 'yes',
      extra: 'x',
    };
    const { disableTransfers: _dropped, ...missing } = bad;
    expect(consoleProblems('binance', missing).sort()).toEqual(
      [
        'disableTransfers: not a string',
        'restrictIp: does not name Binance',
        'deleteKey: blank, padded or multi-line',
        'deleteKey: does not name Binance',
        'permissionsEditable: not a boolean',
        'extra: not an ExchangeConsole field',
        'apiKeysUrl: not https',
        'apiKeysUrl: link http://www.binance.com/en/my/settings/api-management is not https',
        'restrictIp: link http://example.com/ip is not https',
      ].sort(),
    );
    expect(consoleProblems('okx', good)).toContain('apiKeysUrl: not on okx.com');
  });
});
