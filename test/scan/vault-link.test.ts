import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scanText } from '../../src/scan/scan-text.js';
import { linkRegisteredKeys } from '../../src/scan/vault-link.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) => Array.from(randomBytes(n), (b) => ALNUM[b % ALNUM.length]).join('');

describe('vault link', () => {
  it('marks a finding whose api-key id is a registered key and names the lockdown command', () => {
    const vaultKey = randomBytes(32);
    const fingerprint = (id: string) => createHmac('sha256', vaultKey).update(id).digest('hex');
    const registered = alnum(64);
    const other = alnum(64);
    const findings = [
      ...scanText(`BINANCE_API_KEY=${registered}\nBINANCE_API_SECRET=${alnum(64)}\n`, { file: 'a.env' }),
      ...scanText(`BINANCE_API_KEY=${other}\nBINANCE_API_SECRET=${alnum(64)}\n`, { file: 'b.env' }),
    ];
    const linked = linkRegisteredKeys(findings, fingerprint, [
      { label: 'prod-binance', exchange: 'binance', fingerprint: fingerprint(registered) },
    ]);
    expect(linked).toBe(1);
    expect(findings.map((f) => [f.file, f.registeredKey, f.lockdownCommand])).toEqual([
      ['a.env', 'prod-binance', 'keywarden lockdown --key prod-binance'],
      ['b.env', undefined, undefined],
    ]);
  });
});
