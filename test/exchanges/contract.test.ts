/**
 * The adapter contract: every exchange in ADAPTERS and EMULATOR_REGISTRY passes the same checks,
 * read from the adapter, its emulator and one data fixture per exchange. Nothing here names an
 * exchange; a registered exchange without a fixture fails the suite.
 *
 * Adding an exchange's fixture: create `test/exchanges/contract/<id>.ts` whose default export
 * `satisfies`/is typed `ContractFixture` (test/exchanges/contract-fixture.ts), `id` equal to the
 * file name. Give it: `samples` (first a private read the emulator answers for its seeded `read`
 * key, then e.g. an order-like request in the body encoding) with the parts its signature covers;
 * the auth header and parameter names a client sends; where the signature is (`headerSignature`,
 * `paramSignature` or your own slot); `timestamp` or `nonce` freshness; the encodings `parse`
 * reads (`duplicates`); a zod schema of the error body that refuses a success body; whether errors
 * are told by HTTP status or in a 200 body; at least one sign or verify vector (mark it `official`
 * only when the exchange publishes it); the CCXT id and one private implicit-API call (or why CCXT
 * cannot serve); and `authOf`, the auth two signers of one request agree on. Copy a neighbour
 * (contract/okx.ts for HMAC headers, contract/binance.ts for signed parameters). When your adapter
 * fails a check, fix the adapter; never loosen the check here.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ccxt, { type Exchange } from 'ccxt';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCHANGE_IDS, type ExchangeErrorKind, type ExchangeId } from '../../src/core/index.js';
import {
  ADAPTERS,
  type ExchangeAdapter,
  type ExchangeRequest,
  type ExchangeResponse,
  type SignContext,
  type VerifyResult,
} from '../../src/exchanges/index.js';
import { EMULATOR_REGISTRY } from '../../src/sandbox/emulators.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { sendTo } from '../sandbox/helpers.js';
import { asRequest, ccxtSignAt } from './ccxt-oracle.js';
import { bodyValue, type ContractFixture, type Params, request } from './contract-fixture.js';
import { verifyCtxAt } from './helpers.js';

const KINDS = [
  'auth',
  'timestamp',
  'permission',
  'policy',
  'rate_limited',
  'bad_request',
  'not_found',
  'sealed',
  'unavailable',
  'internal',
] as const satisfies readonly ExchangeErrorKind[];
// A kind added to ExchangeErrorKind and not listed above is a compile error here.
const everyKind: [Exclude<ExchangeErrorKind, (typeof KINDS)[number]>] extends [never] ? true : never = true;

/** The status family an `http` exchange answers each kind with. */
const FAMILY: Record<ExchangeErrorKind, (status: number) => boolean> = {
  auth: (s) => s >= 400 && s < 500 && s !== 429,
  timestamp: (s) => s >= 400 && s < 500 && s !== 429,
  permission: (s) => s >= 400 && s < 500 && s !== 429,
  policy: (s) => s >= 400 && s < 500 && s !== 429,
  rate_limited: (s) => s === 429,
  bad_request: (s) => s >= 400 && s < 500 && s !== 429,
  not_found: (s) => s >= 400 && s < 500 && s !== 429,
  sealed: (s) => s >= 500,
  unavailable: (s) => s >= 500,
  internal: (s) => s >= 500,
};

const FIXTURE_DIR = fileURLToPath(new URL('./contract/', import.meta.url));
const FIXTURE_FILES = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.ts'));
const FIXTURES = new Map<string, ContractFixture>();
for (const file of FIXTURE_FILES) {
  const mod = (await import(pathToFileURL(`${FIXTURE_DIR}${file}`).href)) as { default?: ContractFixture };
  if (mod.default) FIXTURES.set(file.slice(0, -'.ts'.length), mod.default);
}

/** The gateway as the client addresses it: https, so CCXT's JWT `uri` (it strips `https://`) matches ours. */
const HOST = '127.0.0.1:8787';
const baseOf = (id: string) => `https://${HOST}/${id}`;
const SIGNED_AT = 1_750_000_000_000;
const TEN_MINUTES_MS = 600_000;

/** A sign context at `nowMs` whose nonces rise from `nowMs` × 1000 (Kraken's microsecond style). */
function signCtx(id: string, nowMs: number, baseUrl = baseOf(id)): SignContext {
  let n = BigInt(nowMs) * 1000n;
  return { clock: { now: () => nowMs }, nonce: { next: () => String(++n) }, baseUrl };
}

const verifyAt = (
  adapter: ExchangeAdapter,
  r: ExchangeRequest,
  verifier: Parameters<ExchangeAdapter['verifyClient']>[1],
  nowMs: number,
) => adapter.verifyClient(r, verifier, verifyCtxAt(nowMs, `/${adapter.id}`, HOST));

/**
 * One byte of `text` changed at `i` to its alphabet neighbour (`a`→`b`, `z`→`y`, `9`→`8`), never a
 * case variant (hex signatures compare case-insensitively): in base64 the neighbour differs only
 * in the low bits, which a lenient decoder of a final character would ignore.
 */
function changeByte(text: string, i: number): string {
  const c = text[i] ?? '';
  const near = /[a-yA-Y0-8]/.test(c)
    ? String.fromCharCode(c.charCodeAt(0) + 1)
    : /[zZ9]/.test(c)
      ? String.fromCharCode(c.charCodeAt(0) - 1)
      : '0';
  return text.slice(0, i) + near + text.slice(i + 1);
}

const refused = (r: VerifyResult) => !r.ok;

/** Parameter names of a query, a form body or a JSON body's top level. */
function paramNames(r: ExchangeRequest): string[] {
  const form = (raw: string) =>
    raw
      .split('&')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent((p.split('=')[0] ?? '').replace(/\+/g, ' ')));
  const body = r.body.trim();
  let bodyNames: string[];
  if (body.startsWith('{')) {
    const value: unknown = JSON.parse(body);
    bodyNames = typeof value === 'object' && value !== null ? Object.keys(value) : [];
  } else bodyNames = form(r.body);
  return [...form(r.query), ...bodyNames];
}

function encodingOf(r: ExchangeRequest): Array<'query' | 'form' | 'json'> {
  const out: Array<'query' | 'form' | 'json'> = [];
  if (r.query !== '') out.push('query');
  if (r.body !== '') out.push(r.body.trim().startsWith('{') ? 'json' : 'form');
  return out;
}

/**
 * Nothing of a client's auth is left: no auth header or parameter by name, and none of `secrets`
 * (signature, api key, passphrase; raw or percent-encoded) anywhere in the serialised request.
 */
function expectNoAuth(
  fixture: ContractFixture,
  stripped: ExchangeRequest,
  secrets: Array<string | undefined>,
): void {
  const text = JSON.stringify(stripped);
  for (const s of secrets) {
    if (!s) continue;
    expect(text.includes(s), `stripped request carries ${s}`).toBe(false);
    expect(text.includes(encodeURIComponent(s)), `stripped request carries ${s} encoded`).toBe(false);
  }
  for (const h of Object.keys(stripped.headers)) expect(fixture.authHeaders).not.toContain(h.toLowerCase());
  for (const p of paramNames(stripped)) expect(fixture.authParams).not.toContain(p);
}

/** Extra parameters a bot might add: `x`-prefixed names so none is an auth or a sample's own field. */
const extraParams: fc.Arbitrary<Params> = fc.uniqueArray(
  fc.tuple(fc.stringMatching(/^x[a-zA-Z0-9]{0,8}$/), fc.string({ unit: 'grapheme', maxLength: 12 })),
  { maxLength: 5, selector: ([k]) => k },
);

// Plain text: an adapter may refuse percent-encoded queries it cannot read one way only (KuCoin).
const PROBE: Params = [['xprobe', 'contract-1']];

type CcxtClass = new (config: Record<string, unknown>) => Exchange;
const ccxtClasses = ccxt as unknown as Record<string, CcxtClass | undefined>;

describe('exchange registry', () => {
  it('has an adapter and an emulator for every exchange id, and nothing else', () => {
    expect(everyKind).toBe(true);
    expect(Object.keys(ADAPTERS).sort()).toEqual([...EXCHANGE_IDS].sort());
    expect(Object.keys(EMULATOR_REGISTRY).sort()).toEqual([...EXCHANGE_IDS].sort());
  });

  it('has no contract fixture for an exchange that is not registered', () => {
    const stray = [...FIXTURES.keys()].filter((id) => !(id in ADAPTERS));
    expect(stray).toEqual([]);
    expect(FIXTURES.size).toBe(FIXTURE_FILES.length);
  });
});

// One sandbox for every emulator, with the keys each seeds, as `keywarden sandbox` runs them.
const emulators = Object.values(EMULATOR_REGISTRY);
const seeded = emulators.flatMap((e) => e.generateKeys());
let sandbox: Sandbox | undefined;
beforeAll(async () => {
  sandbox = createSandbox({ emulators, keys: seeded });
  await sandbox.listen(0);
});
afterAll(() => sandbox?.close());

function running(): Sandbox {
  if (!sandbox) throw new Error('sandbox not started');
  return sandbox;
}

function seedKey(id: ExchangeId, name: string) {
  const key = seeded.find((k) => k.exchange === id && k.name === name);
  if (!key) throw new Error(`${id} emulator seeds no ${name} key`);
  return key;
}

/** Real time for the sandbox, which checks freshness against its own clock. */
let liveNonce = BigInt(Date.now()) * 1000n;
const liveCtx = (id: ExchangeId): SignContext => ({
  clock: { now: () => Date.now() },
  nonce: { next: () => String(++liveNonce) },
  baseUrl: running().baseUrl(id),
});
const send =
  (id: ExchangeId) =>
  (r: ExchangeRequest): Promise<ExchangeResponse> =>
    sendTo(running().baseUrl(id), r);

for (const [key, adapter] of Object.entries(ADAPTERS) as Array<[ExchangeId, ExchangeAdapter]>) {
  describe(`${key} adapter contract`, () => {
    const fixture = FIXTURES.get(key);
    if (!fixture) {
      it('has a contract fixture', () => {
        expect.fail(`no test/exchanges/contract/${key}.ts: see the header of contract.test.ts`);
      });
      return;
    }

    describe('registry entry', () => {
      it('is registered under its own id, with its emulator', () => {
        expect(adapter.id).toBe(key);
        expect(fixture.id).toBe(key);
        expect(EMULATOR_REGISTRY[key].exchange).toBe(key);
      });

      it('declares credential fields, lower-case forwarded headers and a CCXT override at the given base', () => {
        expect(adapter.credentialFields.length).toBeGreaterThan(0);
        expect(adapter.credentialFields).toContain('apiKey');
        for (const h of adapter.forwardedHeaders) expect(h).toBe(h.toLowerCase());
        const override = adapter.ccxtOverride('http://127.0.0.1:1/x');
        expect(JSON.stringify(override)).toContain('http://127.0.0.1:1/x');
      });

      it('issues client credentials it accepts itself, with every declared field, fresh each time', () => {
        const a = adapter.issueClientCredential();
        const b = adapter.issueClientCredential();
        expect(() => adapter.validateCredential(a.credential)).not.toThrow();
        for (const f of adapter.credentialFields) expect(a.credential[f]).toBeTruthy();
        expect(a.credential.apiKey).not.toBe(b.credential.apiKey);
        expect(a.credential.secret).not.toBe(b.credential.secret);
      });
    });

    describe.each(fixture.samples.map((s) => [s.name, s] as const))(
      'sign → verify of %s',
      (_name, sample) => {
        const issued = adapter.issueClientCredential();
        const signed = adapter.sign(sample.build(PROBE), issued.credential, signCtx(key, SIGNED_AT));
        const verify = (r: ExchangeRequest, nowMs = SIGNED_AT) =>
          verifyAt(adapter, r, issued.verifier, nowMs);

        it('is accepted, parses, and names the client key', () => {
          expect(adapter.parse(signed).ok).toBe(true);
          expect(verify(signed)).toMatchObject({ ok: true });
          expect(adapter.clientKeyId(signed)).toBe(issued.credential.apiKey);
        });

        it('is refused with another client credential', () => {
          expect(verify(signed)).toMatchObject({ ok: true });
          const other = adapter.issueClientCredential();
          expect(refused(verifyAt(adapter, signed, other.verifier, SIGNED_AT))).toBe(true);
          expect(
            refused(
              verifyAt(adapter, signed, { ...other.verifier, apiKey: issued.verifier.apiKey }, SIGNED_AT),
            ),
          ).toBe(true);
        });

        it('is refused after a one-byte change of its signature, at every position', () => {
          const sig = fixture.signature.get(signed);
          expect(sig).toBeTruthy();
          const s = sig ?? '';
          const accepted = [...s]
            .map((_, i) => i)
            .filter((i) => !refused(verify(fixture.signature.set(signed, changeByte(s, i)))));
          expect(accepted, `positions of ${s.length} accepted after a change`).toEqual([]);
        });

        for (const part of ['query', 'body'] as const) {
          const text = signed[part];
          if (text === '') continue;
          if (sample.signed.includes(part)) {
            it(`is refused after a one-byte change of its ${part}, at every position`, () => {
              const accepted = [...text]
                .map((_, i) => i)
                .filter((i) => !refused(verify({ ...signed, [part]: changeByte(text, i) })));
              expect(accepted, `positions of ${part} "${text}" accepted after a change`).toEqual([]);
            });
          } else {
            it(`leaves its ${part} unsigned, as the fixture declares`, () => {
              const accepted = [...text]
                .map((_, i) => i)
                .filter((i) => !refused(verify({ ...signed, [part]: changeByte(text, i) })));
              expect(accepted.length).toBeGreaterThan(0);
            });
          }
        }

        if (fixture.freshness === 'timestamp') {
          it('is refused once stale and before its time, and names a replay key', () => {
            const fresh = verify(signed);
            expect(fresh).toMatchObject({ ok: true });
            if (fresh.ok) {
              expect(fresh.replayKey).toBeTruthy();
              expect(fresh.replayWindowMs).toBeGreaterThan(0);
              expect(fresh.replayWindowMs).toBeLessThanOrEqual(TEN_MINUTES_MS);
            }
            expect(verify(signed, SIGNED_AT + TEN_MINUTES_MS)).toMatchObject({
              ok: false,
              reason: 'stale_timestamp',
            });
            expect(verify(signed, SIGNED_AT - TEN_MINUTES_MS)).toMatchObject({
              ok: false,
              reason: 'stale_timestamp',
            });
          });
        } else {
          it('is accepted once per nonce', () => {
            const ctx = verifyCtxAt(SIGNED_AT, `/${key}`, HOST);
            expect(adapter.verifyClient(signed, issued.verifier, ctx)).toMatchObject({ ok: true });
            expect(adapter.verifyClient(signed, issued.verifier, ctx)).toMatchObject({
              ok: false,
              reason: 'nonce_reused',
            });
          });
        }
      },
    );

    describe('stripAuth', () => {
      it('leaves no auth field, signature, api key or passphrase in a signed request, and it signs afresh', () => {
        const client = adapter.issueClientCredential();
        const real = adapter.issueClientCredential();
        fc.assert(
          fc.property(
            extraParams,
            fc.integer({ min: 0, max: fixture.samples.length - 1 }),
            (extra, which) => {
              const sample = fixture.samples[which] ?? fixture.samples[0];
              const signed = adapter.sign(sample.build(extra), client.credential, signCtx(key, SIGNED_AT));
              const sig = fixture.signature.get(signed) ?? '';
              expect(sig.length).toBeGreaterThan(8);
              const stripped = adapter.stripAuth(signed);
              expectNoAuth(fixture, stripped, [sig, client.credential.apiKey, client.credential.password]);
              const again = adapter.sign(stripped, real.credential, signCtx(key, SIGNED_AT + 1));
              expect(verifyAt(adapter, again, real.verifier, SIGNED_AT + 1)).toMatchObject({ ok: true });
              expect(refused(verifyAt(adapter, again, client.verifier, SIGNED_AT + 1))).toBe(true);
            },
          ),
          { numRuns: 150 },
        );
      });
    });

    describe('parse', () => {
      it('has a duplicate check for every encoding its samples use', () => {
        const used = new Set(fixture.samples.flatMap((s) => encodingOf(s.build(PROBE))));
        for (const e of used) expect(fixture.duplicates[e], `duplicates.${e}`).toBeDefined();
      });

      const forms: Record<
        'query' | 'form' | 'json',
        { dup: string[]; control: string; put: (t: string) => Partial<ExchangeRequest> }
      > = {
        query: { dup: ['xa=1&xa=2', 'xa=1&%78a=2'], control: 'xa=1&xb=2', put: (t) => ({ query: t }) },
        form: {
          dup: ['xa=1&xa=2', 'xa=1&%78a=2'],
          control: 'xa=1&xb=2',
          put: (t) => ({ body: t, headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
        },
        json: {
          dup: ['{"xa":"1","xa":"2"}', '{"xo":{"xa":"1","xa":"2"}}', '{"xa":"1","\\u0078a":"2"}'],
          control: '{"xa":"1","xb":"2"}',
          put: (t) => ({ body: t, headers: { 'content-type': 'application/json' } }),
        },
      };
      for (const [encoding, target] of Object.entries(fixture.duplicates) as Array<
        [keyof typeof forms, { method: string; path: string }]
      >) {
        const f = forms[encoding];
        it.each(f.dup)(`refuses a duplicated ${encoding} parameter: %s`, (dup) => {
          expect(adapter.parse(request({ ...target, ...f.put(f.control) })).ok).toBe(true);
          expect(adapter.parse(request({ ...target, ...f.put(dup) })).ok).toBe(false);
        });
      }
    });

    describe('errorResponse', () => {
      it.each(KINDS)('renders %s in the exchange shape, status family and with its message', (kind) => {
        const message = `keywarden contract probe ${kind}`;
        const res = adapter.errorResponse(kind, message);
        const parsed = fixture.errorBody.safeParse(bodyValue(res));
        expect(parsed.success, `${res.status} ${res.body}`).toBe(true);
        if (fixture.errorStatus === 'body') expect(res.status).toBe(200);
        else expect(FAMILY[kind](res.status), `HTTP ${res.status}`).toBe(true);
        if (!fixture.messageDropped?.includes(kind)) expect(res.body).toContain(message);
        expect(Object.keys(res.headers).map((h) => h.toLowerCase())).toContain('content-type');
      });
    });

    describe('signing vectors', () => {
      it('has at least one', () => {
        expect(fixture.signVectors.length + fixture.verifyVectors.length).toBeGreaterThan(0);
      });
      for (const v of fixture.signVectors) {
        it(`sign reproduces the ${v.source} vector: ${v.name}`, () => {
          const ctx: SignContext = {
            clock: { now: () => v.at.nowMs },
            nonce: { next: () => v.at.nonce ?? '0' },
            baseUrl: v.at.baseUrl ?? adapter.defaultBaseUrl,
          };
          const signed = adapter.sign(v.request, v.credential, ctx);
          if (v.expect.headers) expect(signed.headers).toMatchObject(v.expect.headers);
          if (v.expect.body !== undefined) expect(signed.body).toBe(v.expect.body);
          if (v.expect.query !== undefined) expect(signed.query).toBe(v.expect.query);
        });
      }
      for (const v of fixture.verifyVectors) {
        it(`verifyClient accepts the ${v.source} vector, and refuses it changed: ${v.name}`, () => {
          expect(verifyAt(adapter, v.request, v.verifier, v.nowMs)).toMatchObject({ ok: true });
          const sig = fixture.signature.get(v.request) ?? '';
          for (let i = 0; i < sig.length; i++) {
            expect(
              refused(
                verifyAt(adapter, fixture.signature.set(v.request, changeByte(sig, i)), v.verifier, v.nowMs),
              ),
            ).toBe(true);
          }
        });
      }
    });

    describe('CCXT 4.5.84 as oracle', () => {
      const spec = fixture.ccxt;
      if ('unsupported' in spec) {
        it.skip(`CCXT cannot serve: ${spec.unsupported}`, () => {});
        return;
      }
      it('signs a bot request the adapter accepts, and the adapter signs the same auth', () => {
        const Client = ccxtClasses[spec.id];
        expect(Client, `ccxt.${spec.id}`).toBeDefined();
        if (!Client) return;
        const base = baseOf(key);
        const ex = new Client({ ...adapter.ccxtOverride(base) });
        const issued = adapter.issueClientCredential();
        fc.assert(
          fc.property(fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }), (ts) => {
            const bot = asRequest(base, ccxtSignAt(ex, issued.credential, ts, spec.call));
            expect(adapter.parse(bot).ok).toBe(true);
            expect(verifyAt(adapter, bot, issued.verifier, ts)).toMatchObject({ ok: true });
            const ctx: SignContext = {
              clock: { now: () => ts },
              nonce: { next: () => String(ts) },
              baseUrl: base,
            };
            const stripped = adapter.stripAuth(bot);
            expectNoAuth(fixture, stripped, [
              fixture.signature.get(bot),
              issued.credential.apiKey,
              issued.credential.password,
            ]);
            const ours = adapter.sign(stripped, issued.credential, ctx);
            expect(fixture.authOf(ours)).toEqual(fixture.authOf(bot));
            expect(ours.query).toBe(bot.query);
            expect(ours.body).toBe(bot.body);
          }),
          { numRuns: 20 },
        );
      });
    });

    describe('against its emulator', () => {
      it('introspection reports each seeded key with the permissions it was seeded with', async () => {
        for (const name of ['full', 'trade', 'read']) {
          const k = seedKey(key, name);
          const got = await adapter.introspect(k.credential, send(key), liveCtx(key));
          // The raw answer is kept for the record: never with the key's secret or passphrase in it.
          for (const secret of [k.credential.secret, k.credential.password, k.verifySecret]) {
            if (secret)
              expect(JSON.stringify(got).includes(secret), `${name} introspection carries a secret`).toBe(
                false,
              );
          }
          expect(got, name).toMatchObject({
            available: true,
            canRead: k.permissions.read,
            canTrade: k.permissions.trade,
            ipRestricted: false,
          });
          if (!got.available) continue;
          for (const [field, perm] of [
            ['canWithdraw', 'withdraw'],
            ['canTransfer', 'transfer'],
          ] as const) {
            if (fixture.introspectionOverReports?.[field]) {
              if (k.permissions[perm]) expect(got[field], `${name} ${field}`).toBe(true);
            } else expect(got[field], `${name} ${field}`).toBe(k.permissions[perm]);
          }
        }
        const pinned = await adapter.introspect(
          seedKey(key, 'iprestricted').credential,
          send(key),
          liveCtx(key),
        );
        expect(pinned).toMatchObject({ available: false });
      });

      it('accepts what the adapter signs with a seeded key, and refuses it tampered in the exchange shape', async () => {
        const sample = fixture.samples[0];
        const k = seedKey(key, 'read');
        const good = await send(key)(adapter.sign(sample.build([]), k.credential, liveCtx(key)));
        expect(good.status, good.body).toBe(200);
        expect(fixture.errorBody.safeParse(bodyValue(good)).success, good.body).toBe(false);
        const signed = adapter.sign(sample.build([]), k.credential, liveCtx(key));
        const sig = fixture.signature.get(signed) ?? '';
        const bad = await send(key)(
          fixture.signature.set(signed, changeByte(sig, Math.floor(sig.length / 2))),
        );
        expect(fixture.errorBody.safeParse(bodyValue(bad)).success, `${bad.status} ${bad.body}`).toBe(true);
        if (fixture.errorStatus === 'http') expect(FAMILY.auth(bad.status), `HTTP ${bad.status}`).toBe(true);
      });
    });
  });
}
