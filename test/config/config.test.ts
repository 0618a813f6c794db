import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyEnv,
  isAllowedBaseUrl,
  isCidr,
  loadConfig,
  parseConfig,
  parseListen,
} from '../../src/config/config.js';

describe('keywarden.yaml', () => {
  it('fills defaults from an empty file', () => {
    const c = parseConfig({});
    expect(c.server.listen).toBe('127.0.0.1:8787');
    expect(c.server.bodyLimitBytes).toBe(65_536);
    expect(c.rateLimit.perSecond).toBeGreaterThan(0);
  });

  it('rejects an unknown key, naming its path', () => {
    expect(() => parseConfig({ server: { listne: 'x' } })).toThrow(/unknown key server\.listne/);
    expect(() =>
      parseConfig({ exchanges: { binance: { baseUrl: 'https://api.binance.com', extra: 1 } } }),
    ).toThrow(/exchanges\.binance\.extra/);
    expect(() => parseConfig({ exchanges: { ftx: {} } })).toThrow(/exchanges\.ftx/);
  });

  it('rejects a wrongly typed value, naming its path', () => {
    expect(() => parseConfig({ server: { bodyLimitBytes: 'big' } })).toThrow(/server\.bodyLimitBytes/);
  });

  it('refuses a non-loopback http:// upstream and accepts https and loopback http', () => {
    expect(() => parseConfig({ exchanges: { binance: { baseUrl: 'http://api.binance.com' } } })).toThrow(
      /exchanges\.binance\.baseUrl/,
    );
    expect(isAllowedBaseUrl('https://api.binance.com')).toBe(true);
    expect(isAllowedBaseUrl('http://127.0.0.1:8788/binance')).toBe(true);
    expect(isAllowedBaseUrl('http://[::1]:8788')).toBe(true);
    expect(isAllowedBaseUrl('http://localhost.evil.com')).toBe(false);
    expect(isAllowedBaseUrl('http://10.0.0.1')).toBe(false);
    expect(isAllowedBaseUrl('https://user:pw@api.binance.com')).toBe(false);
    expect(isAllowedBaseUrl('ftp://api.binance.com')).toBe(false);
  });

  it('applies KEYWARDEN_* overrides and validates them', () => {
    const c = applyEnv(parseConfig({}), {
      KEYWARDEN_LISTEN: '0.0.0.0:9000',
      KEYWARDEN_TRUSTED_PROXIES: '10.0.0.0/8, ::1',
      KEYWARDEN_BINANCE_BASE_URL: 'https://api1.binance.com',
    });
    expect(c.server.listen).toBe('0.0.0.0:9000');
    expect(c.server.trustedProxies).toEqual(['10.0.0.0/8', '::1']);
    expect(c.exchanges.binance?.baseUrl).toBe('https://api1.binance.com');
    expect(() => applyEnv(parseConfig({}), { KEYWARDEN_TRUSTED_PROXIES: 'nope' })).toThrow(/CIDR/);
    expect(() => applyEnv(parseConfig({}), { KEYWARDEN_BINANCE_BASE_URL: 'http://example.com' })).toThrow(
      /baseUrl/,
    );
  });

  it('loads YAML from a file; a missing explicit file is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-conf-'));
    const file = join(dir, 'keywarden.yaml');
    writeFileSync(file, 'server:\n  listen: 127.0.0.1:9999\nrateLimit:\n  perSecond: 5\n  burst: 5\n');
    expect(loadConfig({ path: file, env: {} }).server.listen).toBe('127.0.0.1:9999');
    expect(() => loadConfig({ path: join(dir, 'missing.yaml'), env: {} })).toThrow(/not found/);
    writeFileSync(file, 'server: [unclosed\n');
    expect(() => loadConfig({ path: file, env: {} })).toThrow(/not valid YAML/);
  });

  it('parses listen addresses and CIDRs', () => {
    expect(parseListen('127.0.0.1:8787')).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(() => parseListen('nope')).toThrow();
    expect(isCidr('10.0.0.0/8')).toBe(true);
    expect(isCidr('fd00::/8')).toBe(true);
    expect(isCidr('10.0.0.0/33')).toBe(false);
    expect(isCidr('bogus')).toBe(false);
  });
});
