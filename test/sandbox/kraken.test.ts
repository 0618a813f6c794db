import { describe, expect, it } from 'vitest';
import { kraken, krakenSignature } from '../../src/exchanges/kraken.js';
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
});
