import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/audit-types.js';
import { verifyAuditLog } from '../../src/audit/audit-verify.js';
import { openFixture } from './helpers.js';

const eventArb: fc.Arbitrary<AuditEvent> = fc.record(
  {
    kind: fc.constantFrom('request', 'outcome', 'admin', 'alert'),
    clientId: fc.string({ maxLength: 12 }),
    action: fc.constantFrom('trade', 'read', 'withdraw', 'cancel'),
    symbol: fc.string({ maxLength: 10 }),
    notional: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }),
    decision: fc.constantFrom('allow', 'deny', 'would-deny'),
    message: fc.string({ maxLength: 40 }),
    upstreamStatus: fc.integer({ min: 100, max: 599 }),
    detail: fc.dictionary(
      fc.string({ maxLength: 6 }),
      fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean()),
    ),
    sensitive: fc.dictionary(
      fc.constantFrom('clientKeyId', 'address'),
      fc.string({ minLength: 1, maxLength: 20 }),
    ),
  },
  { requiredKeys: ['kind'] },
);

describe('audit log properties', () => {
  it('any sequence of appends verifies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 1, maxLength: 25 }),
        fc.boolean(),
        async (events, concurrent) => {
          const { store, log } = await openFixture(4);
          if (concurrent) await Promise.all(events.map((e) => log.append(e)));
          else for (const e of events) await log.append(e);
          await log.close();
          const r = verifyAuditLog(store.sqlite);
          await store.close();
          expect(r).toMatchObject({ ok: true, records: events.length, lastSeq: events.length });
        },
      ),
      { numRuns: 25 },
    );
  });

  it('any single-byte mutation of a stored record is detected at that record', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (events, pickRecord, pickByte, delta) => {
          const { store, log } = await openFixture(4);
          for (const e of events) await log.append(e);
          await log.close();
          const seq = (pickRecord % events.length) + 1;
          const row = store.sqlite.prepare('SELECT data FROM audit_log WHERE seq = ?').get(seq) as {
            data: string;
          };
          const bytes = Buffer.from(row.data, 'utf8');
          const i = pickByte % bytes.length;
          bytes[i] = ((bytes[i] ?? 0) + delta) % 256;
          // Stored as a BLOB so the mutated byte reaches the database exactly, even when it is not valid UTF-8.
          store.sqlite.prepare('UPDATE audit_log SET data = ? WHERE seq = ?').run(bytes, seq);
          const r = verifyAuditLog(store.sqlite);
          await store.close();
          expect(r.ok).toBe(false);
          expect(r.firstBadSeq).toBe(seq);
        },
      ),
      { numRuns: 40 },
    );
  });
});
