/**
 * Client authentication compares secrets in constant time (DESIGN.md §gateway: "authenticate
 * the client (constant-time)"). A timing assertion would be flaky on a shared VM, so this checks
 * the mechanism instead: every comparison of a presented signature / key id / passphrase goes
 * through safeEqual (timingSafeEqual over digests). A plain `===` slipped into an adapter fails here.
 */

import { describe, expect, it, vi } from 'vitest';
import { EXCHANGE_IDS } from '../../src/core/index.js';
import type { ExchangeRequest } from '../../src/exchanges/adapter.js';
import { adapterFor } from '../../src/exchanges/index.js';
import { FIXTURES } from '../exchanges/exchange-fixtures.js';
import { req, signCtxAt, verifyCtxAt } from '../exchanges/helpers.js';

const compared = vi.hoisted(() => [] as string[]);
vi.mock('../../src/core/safe-equal.js', async (original) => {
  const real = await original<typeof import('../../src/core/safe-equal.js')>();
  return {
    safeEqual: (a: string | Buffer, b: string | Buffer) => {
      compared.push(String(a), String(b));
      return real.safeEqual(a, b);
    },
  };
});

const NOW = 1_700_000_000_000;

/** A private read per exchange, as a bot sends it (before signing). */
const PRIVATE = (id: (typeof EXCHANGE_IDS)[number]): ExchangeRequest => {
  const r = FIXTURES[id].privateRead;
  return req(r.method, r.path, r.body ?? '', r.query ?? '');
};

/** Every value that differs between two signed copies: the presented proofs (signature, key id, token). */
function proofs(a: ExchangeRequest, b: ExchangeRequest): string[] {
  const out: string[] = [];
  for (const k of Object.keys(a.headers)) if (a.headers[k] !== b.headers[k]) out.push(a.headers[k] ?? '');
  const split = (s: string) => new Map(s.split('&').map((p) => p.split('=') as [string, string]));
  for (const [src, other] of [
    [a.query, b.query],
    [a.body, b.body],
  ] as const) {
    const x = split(src);
    const y = split(other);
    for (const [k, v] of x) if (y.get(k) !== v) out.push(decodeURIComponent(v ?? ''));
  }
  return out.filter((v) => v !== '');
}

describe('client authentication compares in constant time', () => {
  for (const id of EXCHANGE_IDS) {
    it(`${id}: the presented key id and proof are compared through safeEqual`, () => {
      const adapter = adapterFor(id);
      const one = adapter.issueClientCredential();
      const two = adapter.issueClientCredential();
      const signed = adapter.sign(PRIVATE(id), one.credential, signCtxAt(NOW, 'http://127.0.0.1', '1'));
      const other = adapter.sign(PRIVATE(id), two.credential, signCtxAt(NOW, 'http://127.0.0.1', '1'));
      const presented = proofs(signed, other);
      expect(presented.length).toBeGreaterThan(0);

      compared.length = 0;
      const ok = adapter.verifyClient(signed, one.verifier, verifyCtxAt(NOW, ''));
      expect(ok).toMatchObject({ ok: true });
      // Coinbase proves with an ES256 JWT (public-key verify, not a comparison): its key id claim
      // is what is compared. The HMAC schemes compare both the key and the signature.
      const seen = new Set(compared.map((v) => v.toLowerCase()));
      const viaSafeEqual = presented.filter((p) => seen.has(p.toLowerCase()));
      if (id === 'coinbase') expect(compared).toContain(one.verifier.apiKey);
      else expect(viaSafeEqual.sort()).toEqual(presented.map((p) => p).sort());
    });
  }
});
