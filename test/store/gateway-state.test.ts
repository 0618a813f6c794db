/**
 * Gateway state that must survive a restart (issue 10, findings 3 and 9): daily policy usage
 * (a restart must not reset a daily cap) and the client nonce ledger (a captured Kraken request
 * must not replay after a restart). Each check reopens the store file as a new process would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryNonceLedger } from '../../src/exchanges/memory-nonce-ledger.js';
import { storeBackedState } from '../../src/gateway/store-state.js';
import { createUsageTracker } from '../../src/policy/usage.js';
import { openStore } from '../../src/store/db.js';

const root = mkdtempSync(join(tmpdir(), 'kw-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const NOW = Date.UTC(2026, 11, 1, 12, 0);

describe('gateway state in the store', () => {
  it('daily notional and withdrawals survive a reopen; the next UTC day starts at zero', async () => {
    const dir = join(root, `d${++dirs}`);
    const first = await openStore(dir);
    const state = storeBackedState(first.sqlite);
    state.usage.reserve('client-a', NOW, {
      orders: 2,
      notional: 900,
      withdrawal: { coin: 'btc', amount: 0.009 },
    });
    const released = state.usage.reserve('client-a', NOW, { orders: 1, notional: 50 });
    released.release();
    await first.close();

    const second = await openStore(dir);
    const usage = storeBackedState(second.sqlite).usage;
    expect(usage.snapshot('client-a', NOW + 1_000)).toEqual({
      dailyNotional: 900,
      ordersLastMinute: 0,
      withdrawnToday: { BTC: 0.009 },
    });
    expect(usage.snapshot('client-b', NOW).dailyNotional).toBe(0);
    expect(usage.snapshot('client-a', NOW + 86_400_000).dailyNotional).toBe(0);
    await second.close();
  });

  it('control: an in-memory tracker forgets on restart (what the store fixes)', () => {
    createUsageTracker().reserve('client-a', NOW, { orders: 1, notional: 900 });
    expect(createUsageTracker().snapshot('client-a', NOW).dailyNotional).toBe(0);
  });

  it('the client nonce ledger refuses an old nonce after a reopen', async () => {
    const dir = join(root, `d${++dirs}`);
    const first = await openStore(dir);
    const ledger = storeBackedState(first.sqlite).clientNonces;
    expect(ledger.accept('kw_client', 1_000n)).toBe(true);
    expect(ledger.accept('kw_client', 1_000n)).toBe(false);
    expect(ledger.accept('kw_client', 999n)).toBe(false);
    expect(ledger.accept('kw_other', 5n)).toBe(true);
    const big = 2n ** 62n;
    expect(ledger.accept('kw_client', big)).toBe(true);
    await first.close();

    const second = await openStore(dir);
    const reopened = storeBackedState(second.sqlite).clientNonces;
    expect(reopened.accept('kw_client', big)).toBe(false);
    expect(reopened.accept('kw_client', big - 1n)).toBe(false);
    expect(reopened.accept('kw_client', big + 1n)).toBe(true);
    await second.close();
    // Control: the in-memory ledger the gateway used before accepts the captured nonce again.
    expect(createMemoryNonceLedger().accept('kw_client', 1_000n)).toBe(true);
  });
});
