/**
 * Key verification against the in-process sandbox exchange: the adapters' introspection over
 * real sockets, flags for over-permissive keys, the recorded check (nothing secret in it), the
 * `key_over_permissive` alert, and the failure modes (unknown key, unreachable exchange).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryAudit } from '../../src/audit/index.js';
import { createExchangeAccess } from '../../src/cli/exchange-access.js';
import { parseConfig } from '../../src/config/config.js';
import type { ExchangeId } from '../../src/core/index.js';
import {
  adviceFor,
  createKeyCheckStore,
  detectEgressIp,
  isPublicIp,
  scrubIntrospection,
  verifyKey,
  verifyKeys,
} from '../../src/keys/index.js';
import { type Alert, createMonitor } from '../../src/monitor/index.js';
import { startWorld, type World } from '../world.js';

const EXCHANGES: ExchangeId[] = ['binance', 'kraken', 'okx', 'bybit', 'coinbase'];

let w: World;
const alerts: Alert[] = [];
const monitor = createMonitor({ onAlert: (a) => alerts.push(a) });

beforeAll(async () => {
  w = await startWorld();
  for (const ex of EXCHANGES)
    for (const name of ['full', 'trade', 'read'])
      await w.keys.add(
        { label: `${ex}-${name}`, exchange: ex, environment: 'prod' },
        w.key(ex, name).credential,
      );
});
afterAll(async () => {
  await monitor.close();
  await w.close();
});

const deps = () => ({
  keys: w.keys,
  access: w.access,
  checks: createKeyCheckStore(w.store),
  audit: w.audit,
  monitor,
});

async function check(label: string) {
  const key = await w.keys.get(label);
  if (!key) throw new Error(label);
  return verifyKey(deps(), key);
}

describe('key verify against the sandbox', () => {
  it.each(EXCHANGES)('%s: flags the full key (withdraw, transfer, no IP restriction)', async (ex) => {
    const c = await check(`${ex}-full`);
    expect(c.introspection).toMatchObject({
      available: true,
      canRead: true,
      canTrade: true,
      canWithdraw: true,
    });
    expect(c.flags).toEqual(
      expect.arrayContaining(['withdraw_enabled', 'transfer_enabled', 'no_ip_restriction']),
    );
  });

  it.each(EXCHANGES)('%s: flags an unrestricted trade key for its missing IP restriction', async (ex) => {
    const c = await check(`${ex}-trade`);
    expect(c.introspection).toMatchObject({ available: true, canTrade: true, canWithdraw: false });
    // OKX lets every trade key move funds between its own accounts (asset/transfer): the adapter says so.
    expect(c.flags).toEqual(ex === 'okx' ? ['transfer_enabled', 'no_ip_restriction'] : ['no_ip_restriction']);
  });

  it.each(EXCHANGES.filter((e) => e !== 'coinbase'))(
    '%s: an IP-restricted read-only key is clean',
    async (ex) => {
      const c = await check(`${ex}-read`);
      expect(c.introspection).toMatchObject({
        available: true,
        canRead: true,
        canTrade: false,
        canWithdraw: false,
        ipRestricted: true,
        ipList: ['127.0.0.1'],
      });
      expect(c.flags).toEqual([]);
    },
  );

  it('coinbase cannot report an IP allow-list, so even its pinned read key is flagged for it', async () => {
    const c = await check('coinbase-read');
    expect(c.flags).toEqual(['no_ip_restriction']);
  });

  it('records the newest check per key, with the key version, and nothing secret', async () => {
    const before = Date.now();
    await verifyKeys(deps(), await w.keys.list());
    const latest = await createKeyCheckStore(w.store).latest();
    const all = await w.keys.list();
    expect(latest.size).toBe(all.length);
    for (const k of all) {
      const c = latest.get(k.id);
      expect(c?.keyVersion).toBe(k.version);
      expect(c?.checkedAt).toBeGreaterThanOrEqual(before);
    }
    const stored = (await w.store.db.selectFrom('key_checks').selectAll().execute())
      .map((r) => `${r.introspection_json} ${r.flags_json}`)
      .join('\n');
    // Bybit's and Kraken's answers echo the api key: it must not be kept.
    expect(stored).toContain('ipRestrict');
    for (const k of w.seed) {
      expect(stored).not.toContain(k.credential.apiKey);
      expect(stored).not.toContain(k.credential.secret);
      if (k.credential.password) expect(stored).not.toContain(k.credential.password);
    }
  });

  it('raises key.over_permissive for flagged keys only, as an alert and an audit record', async () => {
    alerts.length = 0;
    await check('binance-full');
    await check('binance-read');
    const raised = alerts.filter((a) => a.rule === 'key.over_permissive');
    expect(raised.map((a) => a.keyLabel)).toEqual(['binance-full']);
    expect(raised[0]?.severity).toBe('critical');
    expect(raised[0]?.message).toContain('can withdraw');
    const audited = queryAudit(w.store.sqlite).filter((r) => r.action === 'key.verify');
    expect(audited.length).toBeGreaterThan(0);
    expect(audited.at(-1)?.detail).toMatchObject({ label: 'binance-read', flags: [] });
  });

  it('a key the exchange does not know is "introspection_unavailable", not clean', async () => {
    await w.keys.add(
      { label: 'binance-deleted', exchange: 'binance', environment: 'prod' },
      { apiKey: 'x'.repeat(64), secret: 'y'.repeat(64) },
    );
    const c = await check('binance-deleted');
    expect(c.introspection.available).toBe(false);
    expect(c.flags).toEqual(['introspection_unavailable']);
    expect(adviceFor(c)[0]).toMatch(/did not confirm this key/);
  });

  it('an unreachable exchange is "check_failed"', async () => {
    const access = createExchangeAccess(
      parseConfig({ exchanges: { binance: { baseUrl: 'http://127.0.0.1:9/binance' } } }),
      w.store,
    );
    try {
      const key = await w.keys.get('binance-trade');
      if (!key) throw new Error('no key');
      const c = await verifyKey({ keys: w.keys, access }, key);
      expect(c.flags).toEqual(['check_failed']);
      expect(c.introspection).toEqual({
        available: false,
        reason: expect.stringMatching(/^binance did not answer/),
      });
    } finally {
      await access.close();
    }
  });

  it('verifies the same Kraken key back to back (each check takes a fresh, higher nonce)', async () => {
    const a = await check('kraken-trade');
    const b = await check('kraken-trade');
    expect([a.introspection.available, b.introspection.available]).toEqual([true, true]);
  });
});

describe('advice', () => {
  it('names the egress IP when known, and says so when not', async () => {
    const c = await check('binance-full');
    expect(adviceFor(c, '198.51.100.7')).toEqual([
      'disable withdrawals for this key on the exchange (its API key settings)',
      'disable transfers (internal / universal transfer) for this key on the exchange',
      "pin the key to the gateway's egress IP 198.51.100.7 on the exchange",
    ]);
    expect(adviceFor(c).at(-1)).toBe(
      "pin the key to the gateway's egress IP (your gateway's egress IP) on the exchange",
    );
  });

  it('detects a public interface address and ignores private, loopback and link-local ones', () => {
    const nic = (address: string, internal = false) => ({ address, internal });
    expect(detectEgressIp({ lo: [nic('127.0.0.1', true)], eth0: [nic('10.0.0.5'), nic('fe80::1')] })).toBe(
      undefined,
    );
    expect(detectEgressIp({ eth0: [nic('192.168.1.2'), nic('2a01:4f8::5'), nic('81.2.69.160')] })).toBe(
      '81.2.69.160',
    );
    expect(detectEgressIp({ eth0: [nic('2a01:4f8::5')] })).toBe('2a01:4f8::5');
    // Documentation ranges (TEST-NET) are never what an exchange sees.
    expect(detectEgressIp({ eth0: [nic('192.0.2.2'), nic('2001:db8::1')] })).toBe(undefined);
    expect(isPublicIp('172.20.1.1')).toBe(false);
    expect(isPublicIp('172.32.1.1')).toBe(true);
  });
});

describe('scrubIntrospection', () => {
  it('redacts credential values anywhere in the raw answer and fields named like secrets', () => {
    const credential = {
      apiKey: 'AKIA-public-id-123',
      secret: 'very-secret-value',
      password: 'pass-phrase-1',
    };
    const out = scrubIntrospection(
      {
        available: true,
        canRead: true,
        canTrade: false,
        canWithdraw: false,
        canTransfer: false,
        ipRestricted: false,
        raw: {
          apiKey: 'AKIA-public-id-123',
          note: 'key AKIA-public-id-123 ok',
          nested: [{ token: 'abc' }, { ok: 'fine', echoed: 'very-secret-value' }],
          secret: '',
          perm: 'read_only',
        },
      },
      credential,
    );
    expect(out).toMatchObject({
      raw: {
        apiKey: '[redacted]',
        note: '[redacted]',
        nested: [{ token: '[redacted]' }, { ok: 'fine', echoed: '[redacted]' }],
        secret: '',
        perm: 'read_only',
      },
    });
    expect(
      scrubIntrospection({ available: false, reason: 'bad key AKIA-public-id-123' }, credential),
    ).toEqual({ available: false, reason: '[redacted]' });
  });
});
