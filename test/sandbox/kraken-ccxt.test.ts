import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { krakenEmulator } from '../../src/sandbox/kraken.js';
import { ccxtAt, orderRoundTrip, requestLines, useSandbox } from './helpers.js';

describe('unmodified CCXT kraken client against the sandbox', () => {
  const box = useSandbox(krakenEmulator);
  const client = (name: string) => ccxtAt('kraken', box.base, box.key(name).credential);
  const withdraw = (name: string) =>
    client(name).withdraw('BTC', 0.1, '', undefined, { key: 'my-cold-wallet' });

  it('fetches balances, places limit and market orders, lists, cancels and reads trades', async () => {
    await orderRoundTrip(client('trade'), 'USD');
    expect(requestLines(box.sandbox)).toEqual(
      expect.arrayContaining([
        'GET /0/public/Assets',
        'GET /0/public/AssetPairs',
        'POST /0/private/BalanceEx',
      ]),
    );
  });

  it('withdraws with the full key and is refused with EGeneral:Permission denied with the trade key', async () => {
    const w = await withdraw('full');
    expect(w.id).toBeTruthy();
    expect(box.sandbox.engine.withdrawals('main')).toHaveLength(1);
    await expect(withdraw('trade')).rejects.toBeInstanceOf(ccxt.PermissionDenied);
  });

  it('refuses the IP-restricted key from 127.0.0.1', async () => {
    await expect(client('iprestricted').fetchBalance()).rejects.toThrow(/Permission denied/);
  });
});
