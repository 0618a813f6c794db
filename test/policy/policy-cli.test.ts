import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../dist/cli/main.js');
const EXAMPLE = join(import.meta.dirname, '../../examples/policies/market-maker.yaml');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [MAIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** `policy explain` of a Binance BTCUSDT limit buy of `quantity` at 60,000 against the example policy. */
function explainLimitBuy(quantity: string, ...extra: string[]) {
  return run([
    'policy',
    'explain',
    '--policy',
    EXAMPLE,
    '--exchange',
    'binance',
    '--method',
    'POST',
    '--path',
    '/api/v3/order',
    '--body',
    `symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=${quantity}&price=60000&timeInForce=GTC`,
    '--price',
    'BTC/USDT=60000',
    ...extra,
  ]);
}

describe('keywarden policy (CLI)', () => {
  it('check accepts an example and prints a normalised summary', async () => {
    const r = await run(['policy', 'check', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('maxOrderNotional: 5,000');
  });

  it('check exits 2 with one line naming the bad key path', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kw-pol-')), 'bad.yaml');
    writeFileSync(file, 'symbols:\n  alow: ["BTC/*"]\n');
    const r = await run(['policy', 'check', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('unknown key "symbols.alow"');
  });

  it('explain classifies through the adapter and names the denying rule', async () => {
    const r = await explainLimitBuy('0.2');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('decision: DENY');
    expect(r.stdout).toContain('order notional 12,000 USDT exceeds maxOrderNotional 5,000');
    // The parsed intent: the fields used, the computed notional and where its price came from.
    expect(r.stdout).toContain('order 1: buy limit BTC/USDT');
    expect(r.stdout).toContain('notional 12,000 from limit price');
  });

  it('explain allows an in-policy order (positive control)', async () => {
    const r = await explainLimitBuy('0.05', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).decision).toMatchObject({
      allowed: true,
      notional: 3000,
      priced: [{ symbol: 'BTC/USDT', notional: 3000, basis: 'limit price' }],
    });
  });
});
