import { describe, expect, it } from 'vitest';
import { kraken, krakenSignature } from '../../src/exchanges/kraken/index.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import { krakenEmulator } from '../../src/sandbox/kraken.js';
import { expectSeededPermissions, introspectSeeded, useSandbox } from './helpers.js';

describe('kraken sandbox emulator over real sockets', () => {
  const box = useSandbox(krakenEmulator);
  const key = box.key;
  let nonce = BigInt(Date.now()) * 1000n;

  async function call(
    method: string,
    params: string,
    opts: { k?: SandboxKey; secret?: string; n?: string; tamper?: (s: string) => string } = {},
  ) {
    const k = opts.k ?? key('trade');
    const n = opts.n ?? String(++nonce);
    const body = params === '' ? `nonce=${n}` : `nonce=${n}&${params}`;
    const path = `/0/private/${method}`;
    const res = await fetch(`${box.base}${path}`, {
      method: 'POST',
      headers: {
        'API-Key': k.credential.apiKey,
        'API-Sign': krakenSignature(path, n, body, opts.secret ?? k.credential.secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: opts.tamper ? opts.tamper(body) : body,
    });
    return {
      status: res.status,
      body: (await res.json()) as { error: string[]; result?: Record<string, unknown> },
    };
  }

  it('serves a correctly signed balance request (positive control)', async () => {
    const r = await call('Balance', '');
    expect(r.status).toBe(200);
    expect(r.body.error).toEqual([]);
    expect(r.body.result?.ZUSD).toBe('100000.0000000000');
  });

  it('rejects a wrong secret with EAPI:Invalid signature (HTTP 200)', async () => {
    const r = await call('Balance', '', { secret: Buffer.alloc(64, 7).toString('base64') });
    expect(r).toEqual({ status: 200, body: { error: ['EAPI:Invalid signature'], result: {} } });
  });

  it('rejects a reused nonce with EAPI:Invalid nonce', async () => {
    const n = String(++nonce);
    expect((await call('Balance', '', { n })).body.error).toEqual([]);
    expect((await call('Balance', '', { n })).body.error).toEqual(['EAPI:Invalid nonce']);
  });

  it('rejects a body tampered after signing and places no order', async () => {
    const r = await call('AddOrder', 'ordertype=limit&pair=XBTUSD&price=100&type=buy&volume=0.01', {
      tamper: (b) => b.replace('volume=0.01', 'volume=1'),
    });
    expect(r.body.error).toEqual(['EAPI:Invalid signature']);
    expect(box.sandbox.engine.openOrders('main')).toHaveLength(0);
  });

  it('rejects the IP-restricted key from 127.0.0.1 and an unknown key', async () => {
    expect((await call('Balance', '', { k: key('iprestricted') })).body.error).toEqual([
      'EGeneral:Permission denied',
    ]);
    const fake = { ...key('trade'), credential: { apiKey: 'nope', secret: key('trade').credential.secret } };
    expect((await call('Balance', '', { k: fake })).body.error).toEqual(['EAPI:Invalid key']);
  });

  it('refuses AddOrder from the read key with EGeneral:Permission denied', async () => {
    const r = await call('AddOrder', 'ordertype=market&pair=XBTUSD&type=buy&volume=0.01', { k: key('read') });
    expect(r.body.error).toEqual(['EGeneral:Permission denied']);
  });

  it('answers GetApiKeyInfo so the adapter introspection reads each key correctly', async () => {
    const ctx = { clock: { now: Date.now }, nonce: { next: () => String(++nonce) }, baseUrl: box.base };
    const introspect = introspectSeeded(kraken, box, () => ctx);
    await expectSeededPermissions(introspect, { full: { canRead: true } });
  });

  it('serves the public ticker', async () => {
    const t = await fetch(`${box.base}/0/public/Ticker?pair=XBTUSD`);
    expect(kraken.parseTicker({ status: t.status, headers: {}, body: await t.text() })).toBe(60000);
  });

  async function callJson(method: string, params: Record<string, unknown>) {
    const k = key('trade');
    const n = String(++nonce);
    const body = JSON.stringify({ nonce: n, ...params });
    const path = `/0/private/${method}`;
    const res = await fetch(`${box.base}${path}`, {
      method: 'POST',
      headers: {
        'API-Key': k.credential.apiKey,
        'API-Sign': krakenSignature(path, n, body, k.credential.secret),
        'content-type': 'application/json',
      },
      body,
    });
    return (await res.json()) as { error: string[]; result?: Record<string, unknown> };
  }
  const engine = () => box.sandbox.engine;
  const cancelAll = () => {
    for (const o of engine().openOrders('main')) engine().cancelOrder('main', { id: o.id });
  };

  it('refuses a parameter Kraken does not know with EGeneral:Invalid arguments:<name>, and places nothing', async () => {
    const before = engine().closedOrders('main').length + engine().openOrders('main').length;
    const r = await call('AddOrder', 'ordertype=market&pair=XBTUSD&type=buy&volume=0.01&foo=1');
    expect(r.body.error).toEqual(['EGeneral:Invalid arguments:foo']);
    expect((await call('Balance', 'asset=ZUSD')).body.error).toEqual(['EGeneral:Invalid arguments:asset']);
    expect(
      (await call('AddOrder', 'ordertype=limit&pair=XBTUSD&type=buy&volume=0.01&price=abc')).body.error,
    ).toEqual(['EOrder:Invalid price']);
    expect(engine().closedOrders('main').length + engine().openOrders('main').length).toBe(before);
  });

  it('executes as Kraken does: a price on a market order is ignored, a relative limit price reads against the last trade', async () => {
    const m = await call('AddOrder', 'ordertype=market&pair=XBTUSD&type=buy&volume=0.01&price=1');
    expect(m.body.error).toEqual([]);
    expect(engine().closedOrders('main').at(-1)).toMatchObject({ symbol: 'BTC/USD', averagePrice: 60000 });
    const rel = await call('AddOrder', 'ordertype=limit&pair=XBTUSD&type=buy&volume=0.01&price=-10%25');
    expect(rel.body.error).toEqual([]);
    expect(engine().openOrders('main').at(-1)).toMatchObject({ price: 54000, status: 'open' });
    cancelAll();
  });

  it('AddOrderBatch: every order placed, a per-order pair wins over the batch pair, an empty batch refused', async () => {
    const r = await callJson('AddOrderBatch', {
      pair: 'XBTUSD',
      orders: [
        { type: 'buy', ordertype: 'limit', volume: '0.01', price: '50000' },
        { type: 'buy', ordertype: 'limit', volume: '1', price: '100', pair: 'SOLUSD' },
      ],
    });
    expect(r.error).toEqual([]);
    expect(r.result?.orders).toHaveLength(2);
    expect(
      engine()
        .openOrders('main')
        .map((o) => o.symbol),
    ).toEqual(['BTC/USD', 'SOL/USD']);
    cancelAll();
    expect((await callJson('AddOrderBatch', { pair: 'XBTUSD', orders: [] })).error).toEqual([
      'EGeneral:Invalid arguments:orders',
    ]);
    expect(
      (
        await callJson('AddOrderBatch', {
          pair: 'XBTUSD',
          orders: [
            { type: 'buy', ordertype: 'limit', volume: '1', price: '1' },
            { type: 'buy', ordertype: 'limit', volume: '1', price: '1', x: 1 },
          ],
        })
      ).error,
    ).toEqual(['EGeneral:Invalid arguments:x']);
  });

  it('a conditional close limit is placed opposite once the primary fills', async () => {
    const r = await call(
      'AddOrder',
      'ordertype=market&pair=XBTUSD&type=buy&volume=0.01&close%5Bordertype%5D=limit&close%5Bprice%5D=%2B1000',
    );
    expect(r.body.error).toEqual([]);
    expect(engine().openOrders('main').at(-1)).toMatchObject({ side: 'sell', quantity: 0.01, price: 61000 });
    cancelAll();
  });

  it('AmendOrder and EditOrder replace the resting order; QueryOrders follows the old txid', async () => {
    const placed = await call('AddOrder', 'ordertype=limit&pair=XBTUSD&type=buy&volume=0.01&price=50000');
    const txid = ((placed.body.result?.txid ?? []) as string[])[0] ?? '';
    const amend = await call('AmendOrder', `txid=${txid}&order_qty=0.02&limit_price=51000`);
    expect(amend.body.error).toEqual([]);
    expect(engine().openOrders('main')).toMatchObject([{ quantity: 0.02, price: 51000 }]);
    const q = await call('QueryOrders', `txid=${txid}`);
    expect(Object.values(q.body.result ?? {})[0]).toMatchObject({
      vol: '0.02000000',
      descr: { price: '51000.00' },
    });
    const edit = await call('EditOrder', `txid=${txid}&pair=XBTUSD&volume=0.03&price=52000`);
    expect(edit.body.error).toEqual([]);
    expect(engine().openOrders('main')).toMatchObject([{ quantity: 0.03, price: 52000 }]);
    expect((await call('AmendOrder', `txid=${txid}&pair=XBTUSD`)).body.error).toEqual([
      'EGeneral:Invalid arguments:pair',
    ]);
    cancelAll();
    expect((await call('AmendOrder', `txid=${txid}&limit_price=1`)).body.error).toEqual([
      'EOrder:Unknown order',
    ]);
  });
});
