import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../src/policy/default-policy.js';
import { parsePolicy, validatePolicy } from '../../src/policy/policy-schema.js';

const EXAMPLES = join(import.meta.dirname, '../../examples/policies');

describe('policy schema', () => {
  it('fills defaults: enforce mode and public/read/trade/cancel', () => {
    expect(parsePolicy('{}')).toEqual({
      mode: 'enforce',
      actions: ['public', 'read', 'trade', 'cancel'],
      markets: ['spot'],
    });
  });
  it('rejects an unknown top-level key naming it', () => {
    expect(() => parsePolicy('maxOrderNotionl: 5')).toThrow('unknown key "maxOrderNotionl"');
  });
  it('rejects an unknown nested key naming its path', () => {
    expect(() => parsePolicy('symbols:\n  alow: ["BTC/*"]\n')).toThrow('unknown key "symbols.alow"');
  });
  it('names the path of a bad value', () => {
    expect(() => parsePolicy('tradingHours: { start: "25:00", end: "06:00" }')).toThrow(
      /tradingHours\.start/,
    );
    expect(() => parsePolicy('actions: [trade, fly]')).toThrow(/actions\.1/);
    expect(() => parsePolicy('maxOrderNotional: -1')).toThrow(/maxOrderNotional/);
  });
  it('accepts JSON as well as YAML', () => {
    expect(parsePolicy('{"mode":"monitor","maxOrderNotional":10}')).toMatchObject({
      mode: 'monitor',
      maxOrderNotional: 10,
    });
  });
  it('rejects duplicated keys rather than keeping the last', () => {
    expect(() => parsePolicy('maxOrderNotional: 5\nmaxOrderNotional: 500000\n')).toThrow(/invalid policy/);
  });
  it('the default policy is itself valid', () => {
    expect(validatePolicy(JSON.parse(JSON.stringify(DEFAULT_POLICY)))).toEqual(DEFAULT_POLICY);
  });
  const files = readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f));
  it('ships examples', () => expect(files.length).toBeGreaterThanOrEqual(4));
  for (const f of files) {
    it(`accepts examples/policies/${f}`, () => {
      expect(() => parsePolicy(readFileSync(join(EXAMPLES, f), 'utf8'))).not.toThrow();
    });
  }
});
