import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalTemplate } from '../../src/audit/canonical.js';

/** The format's definition, written the obvious (slow) way: the fast serialiser must match it byte for byte. */
function reference(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite');
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : reference(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
}

const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('value'), { maxKeys: 6 }),
  ),
}));

describe('canonical JSON', () => {
  it('matches the reference serialisation for arbitrary JSON-like values', () => {
    fc.assert(
      fc.property(jsonish.value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('a template filled with the slot values equals serialising the whole object', () => {
    const slotNames = ['at', 'prevHash', 'seq'];
    const key = fc.string({ maxLength: 9 }).filter((k) => !slotNames.includes(k));
    const obj = fc.dictionary(
      key,
      fc.oneof(fc.string(), fc.integer(), fc.constant(undefined), fc.constant(null)),
    );
    const slots = fc.record({ at: fc.integer(), prevHash: fc.string(), seq: fc.nat() });
    fc.assert(
      fc.property(obj, slots, (o, v) => {
        const t = canonicalTemplate(o, slotNames);
        expect(t).toHaveLength(4);
        const filled = `${t[0]}${canonicalJson(v.at)}${t[1]}${canonicalJson(v.prevHash)}${t[2]}${canonicalJson(v.seq)}${t[3]}`;
        expect(filled).toBe(reference({ ...o, ...v }));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses an object that already has a slot field', () => {
    expect(() => canonicalTemplate({ seq: 1 }, ['seq'])).toThrow(/set by the log/);
  });

  it('refuses non-finite numbers anywhere', () => {
    expect(() => canonicalJson({ a: [1, { b: Number.NaN }] })).toThrow();
    expect(() => canonicalJson(Number.POSITIVE_INFINITY)).toThrow();
  });
});
