import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/exchanges/index.js';
import { binanceEmulator } from '../../src/sandbox/binance.js';
import { EMULATORS } from '../../src/sandbox/emulators.js';
import { createSandbox } from '../../src/sandbox/server.js';
import { scanText } from '../../src/scan/scan-text.js';
import type { Finding } from '../../src/scan/scan-types.js';
import { verifyFindings } from '../../src/scan/verify.js';

function leak(apiKey: string, secret: string): Finding[] {
  return scanText(`BINANCE_API_KEY=${apiKey}\nBINANCE_API_SECRET=${secret}\n`, { file: '.env' });
}

describe('--verify against the sandbox', () => {
  it('reports what a live leaked Binance key can do, with one read-only call', async () => {
    const keys = binanceEmulator.generateKeys();
    const sandbox = createSandbox({ emulators: EMULATORS, keys });
    await sandbox.listen(0, '127.0.0.1');
    try {
      const full = keys.find((k) => k.name === 'full');
      const read = keys.find((k) => k.name === 'read');
      if (!full || !read) throw new Error('sandbox keys missing');
      const findings = [
        ...leak(full.credential.apiKey, full.credential.secret),
        ...leak(read.credential.apiKey, read.credential.secret),
      ];
      expect(findings.map((f) => f.ruleId)).toEqual(['binance-credentials', 'binance-credentials']);
      await verifyFindings(findings, {
        adapters: ADAPTERS,
        baseUrls: { binance: sandbox.baseUrl('binance') },
        timeoutMs: 5000,
      });
      expect(findings[0]?.verification).toMatch(/^live, can withdraw.*no IP restriction$/);
      expect(findings[1]?.verification).toBe('live, read-only, no IP restriction');
      // Only introspection endpoints were called: nothing that trades or withdraws.
      expect(sandbox.log.length).toBeGreaterThan(0);
      for (const entry of sandbox.log) expect(entry.path).toMatch(/^\/sapi\/v1\/account\/apiRestrictions/);
    } finally {
      await sandbox.close();
    }
  });

  it('says a revoked or unknown key is not live', async () => {
    const sandbox = createSandbox({ emulators: EMULATORS, keys: binanceEmulator.generateKeys() });
    await sandbox.listen(0, '127.0.0.1');
    try {
      const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
      const random = () => Array.from(randomBytes(64), (b) => ALNUM[b % ALNUM.length]).join('');
      const findings = leak(random(), random());
      expect(findings).toHaveLength(1);
      await verifyFindings(findings, {
        adapters: ADAPTERS,
        baseUrls: { binance: sandbox.baseUrl('binance') },
        timeoutMs: 5000,
      });
      expect(findings[0]?.verification).toMatch(/^not live/);
    } finally {
      await sandbox.close();
    }
  });
});
