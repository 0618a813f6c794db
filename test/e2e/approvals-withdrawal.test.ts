/**
 * Withdrawals held for approval, end to end: an unmodified CCXT client withdraws through the
 * gateway under a policy with `withdrawals.approval: true` (Binance and Bybit, on the sandbox).
 * The bot gets the pending error in the exchange's own shape and the sandbox sees nothing; once
 * someone other than the requesting client approves, the withdrawal reaches the sandbox exactly
 * once with a valid signature, however many dispatchers run; rejected or expired ones never do.
 * The planted exchange secret and the client's secret appear in no approval row or audit record.
 */
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovals } from '../../src/approvals/index.js';
import { type ExchangeId, KeywardenError, LOCAL_ACTOR } from '../../src/core/index.js';
import { ADAPTERS } from '../../src/exchanges/index.js';
import { createApprovalDispatcher } from '../../src/gateway/approval-dispatcher.js';
import type { Policy } from '../../src/policy/policy-types.js';
import { type CcxtExchange, type Harness, startHarness } from '../gateway/harness.js';

const CANARY = 'CANARYsecretAPPROVALS0123456789abcdefCANARY';
const ADDRESS = 'TXYZabc123456789012345678901234567';

interface Scenario {
  exchange: ExchangeId;
  withdraw: (ex: CcxtExchange) => Promise<unknown>;
  path: RegExp;
}
const SCENARIOS: Scenario[] = [
  {
    exchange: 'binance',
    withdraw: (ex) => ex.withdraw('USDT', 10, ADDRESS, undefined, { network: 'USDT' }),
    path: /withdraw/,
  },
  { exchange: 'bybit', withdraw: (ex) => ex.withdraw('USDT', 10, ADDRESS), path: /withdraw/ },
];

const POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'withdraw'],
  withdrawals: { addresses: [ADDRESS], dailyCap: { USDT: 1000 }, approval: true },
};

let h: Harness;
const secrets: string[] = [CANARY];
beforeAll(async () => {
  h = await startHarness({
    exchanges: SCENARIOS.map((s) => s.exchange),
    approvals: true,
    plantKeys: (keys) => {
      for (const k of keys)
        if (k.name === 'full' && SCENARIOS.some((s) => s.exchange === k.exchange)) {
          k.credential.secret = CANARY;
          k.verifySecret = CANARY;
        }
    },
  });
}, 60_000);
afterAll(() => h.close());

describe.each(SCENARIOS)('$exchange: a withdrawal under approval', (s) => {
  let bot: CcxtExchange;
  const withdrawals = () => h.sandbox.log.filter((l) => l.exchange === s.exchange && s.path.test(l.path));

  /** Withdraw through the gateway: must fail in the exchange's shape naming the approval; nothing reaches the sandbox. */
  async function held(): Promise<string> {
    const before = withdrawals().length;
    const err = await s.withdraw(bot).then(
      () => undefined,
      (e: unknown) => e,
    );
    // CCXT parsed an exchange error from the body (the exchange's own shape), not a network failure.
    expect(err, 'the bot is refused').toBeInstanceOf(ccxt.ExchangeError);
    const message = String((err as Error).message);
    const m = /approval_pending\]: pending approval (apr_\w+)/.exec(message);
    expect(m, message).not.toBeNull();
    expect(withdrawals().length).toBe(before);
    return m?.[1] ?? '';
  }

  beforeAll(async () => {
    const issued = await h.issue(s.exchange, `${s.exchange}-treasury`, { policy: POLICY });
    secrets.push(issued.credential.secret);
    bot = await h.ccxt(s.exchange, issued.credential);
  });

  it('is held: the bot gets approval_pending, the sandbox sees nothing, the approval and audit name it', async () => {
    const id = await held();
    const a = await h.approvals?.get(id);
    expect(a).toMatchObject({
      status: 'pending',
      kind: 'withdrawal',
      requestedBy: { kind: 'client', name: `${s.exchange}-treasury` },
    });
    const records = h.audit.records.filter((r) => JSON.stringify(r).includes(id));
    expect(records.some((r) => r.decision === 'deny' && r.rule === 'approval_pending')).toBe(true);
    expect(
      records.some((r) => r.action === 'approval.request' && r.actor === `client:${s.exchange}-treasury`),
    ).toBe(true);
    // Nothing runs while it waits.
    expect(await h.dispatcher?.runOnce()).toEqual([]);
    expect(withdrawals()).toHaveLength(0);
  });

  it('once approved, is sent exactly once with a fresh valid signature, even with racing dispatchers', async () => {
    const before = withdrawals().length;
    const id = await held();
    await h.approvals?.decide(id, 'approve', LOCAL_ACTOR);
    const approvals = h.approvals;
    if (!approvals || !h.dispatcher) throw new Error('harness without approvals');
    // A second gateway's dispatcher on the same store, with its own approvals service.
    const second = createApprovalDispatcher({
      approvals: createApprovals({
        db: h.store.db,
        clock: { now: Date.now },
        audit: h.audit,
        config: h.config.approvals,
      }),
      keys: h.keys,
      adapters: ADAPTERS,
      upstreams: {
        [s.exchange]: (await import('../../src/gateway/upstream.js')).createUpstream(
          h.sandbox.baseUrl(s.exchange),
          { connections: 4, timeoutMs: 10_000, keepAliveMs: 1_000 },
        ),
      },
      audit: h.audit,
      clock: { now: Date.now },
      nonceFor: (keyId) => h.gateway.nonceFor(keyId),
      isSealed: () => h.vault.isSealed(),
      onError: () => undefined,
    });
    const runs = await Promise.all([
      h.dispatcher.runOnce(),
      second.runOnce(),
      h.dispatcher.runOnce(),
      second.runOnce(),
    ]);
    expect(runs.flat()).toEqual([{ approvalId: id, status: 'executed', upstreamStatus: 200 }]);
    const sent = withdrawals().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.status, 'the sandbox verified the signature and executed it').toBe(200);
    expect(await h.dispatcher.runOnce()).toEqual([]);
    expect(withdrawals().slice(before)).toHaveLength(1);
    const done = await approvals.get(id);
    expect(done).toMatchObject({
      status: 'executed',
      decidedBy: LOCAL_ACTOR,
      result: { upstreamStatus: 200 },
    });
    const outcome = h.audit.records.find((r) => r.kind === 'outcome' && r.detail?.approvalId === id);
    expect(outcome).toMatchObject({ upstreamStatus: 200, action: 'withdraw' });
  });

  it('rejected: never sent', async () => {
    const before = withdrawals().length;
    const id = await held();
    await h.approvals?.decide(id, 'reject', LOCAL_ACTOR);
    expect(await h.dispatcher?.runOnce()).toEqual([]);
    expect(withdrawals().length).toBe(before);
    expect((await h.approvals?.get(id))?.status).toBe('rejected');
  });

  it('expired: cannot be approved, and an approval that ran out before it was sent is never sent', async () => {
    const before = withdrawals().length;
    const later = createApprovals({
      db: h.store.db,
      clock: { now: () => Date.now() + 25 * 3_600_000 },
      audit: h.audit,
      config: h.config.approvals,
    });
    const waited = await held();
    const err = await later.decide(waited, 'approve', LOCAL_ACTOR).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeywardenError);
    expect((err as KeywardenError).code).toBe('approval_closed');
    const approved = await held();
    await h.approvals?.decide(approved, 'approve', LOCAL_ACTOR);
    expect(await later.claim(approved)).toBeUndefined();
    expect(await h.dispatcher?.runOnce()).toEqual([]);
    expect(withdrawals().length).toBe(before);
    expect((await h.approvals?.get(approved))?.status).toBe('expired');
  });
});

describe('secrets', () => {
  it('neither the exchange secret nor a client secret is in any approval row or audit record', async () => {
    const rows = JSON.stringify(await h.store.db.selectFrom('approvals').selectAll().execute());
    const audit = JSON.stringify(h.audit.records);
    expect(rows).toContain('apr_');
    expect(secrets.length).toBe(1 + SCENARIOS.length);
    for (const secret of secrets) {
      expect(rows).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
  });
});
