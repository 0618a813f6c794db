import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { kraken } from '../../src/exchanges/kraken/index.js';
import { krakenEmulator } from '../../src/sandbox/kraken.js';
import { ccxtAt } from '../sandbox/helpers.js';
import { dropInOrders, useDropIn } from './mini-gateway.js';

describe('kraken drop-in: two CCXT clients share one real key through the gateway nonce', () => {
  const dropIn = useDropIn(kraken, krakenEmulator);
  const ccxtClient = (secret: string, apiKey = dropIn.client.apiKey) =>
    ccxtAt('kraken', dropIn.base, { apiKey, secret });

  it('runs balance, limit and market orders, open orders, cancel, trades and withdraw', async () => {
    const ex = ccxtClient(dropIn.client.secret);
    expect((await dropInOrders(ex, 'USD')).BTC?.total).toBe(2);
    expect((await ex.withdraw('BTC', 0.1, '', undefined, { key: 'cold' })).id).toBeTruthy();
    expect(dropIn.sandbox.engine.withdrawals('main')).toHaveLength(1);
  });

  it('lets a second client with its own small nonces share the real key, and refuses its reused nonce', async () => {
    const second = dropIn.issue();
    const late = ccxtClient(second.secret, second.apiKey);
    // Far below the first client's millisecond nonces: only each client's own sequence matters,
    // the upstream nonce for the shared real key is the gateway's.
    let n = 0;
    late.nonce = () => ++n;
    expect((await late.fetchBalance()).USD?.total).toBeGreaterThan(0);
    n = 0;
    await expect(late.fetchBalance()).rejects.toBeInstanceOf(ccxt.InvalidNonce);
  });

  it('refuses a client that signs with the wrong secret before anything reaches the exchange', async () => {
    const before = dropIn.sandbox.log.length;
    await expect(ccxtClient(Buffer.alloc(64, 9).toString('base64')).fetchBalance()).rejects.toThrow(
      /Invalid signature/,
    );
    expect(dropIn.sandbox.log.slice(before).filter((l) => l.path.startsWith('/0/private/'))).toHaveLength(0);
  });
});
