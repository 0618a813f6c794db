/**
 * Shared fixtures for tests that talk to the in-process sandbox exchange over real sockets:
 * one emulator listening on port 0 per test file, its seeded keys by name, an unmodified
 * CCXT client pointed at a base URL, and a plain fetch of an adapter-shaped request.
 */
import ccxt, { type Exchange } from 'ccxt';
import { afterAll, beforeAll, expect } from 'vitest';
import { ccxtOverride } from '../../src/cli/sandbox.js';
import type { ExchangeId } from '../../src/core/index.js';
import type {
  Credential,
  ExchangeAdapter,
  ExchangeRequest,
  ExchangeResponse,
  Introspection,
  SignContext,
} from '../../src/exchanges/adapter.js';
import type { SandboxEmulator, SandboxKey } from '../../src/sandbox/emulator.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.js';

/** One of the emulator's seeded keys (`read`, `trade`, `full`, `iprestricted`, …); throws when absent. */
function keyNamed(keys: readonly SandboxKey[], name: string): SandboxKey {
  const k = keys.find((x) => x.name === name);
  if (!k) throw new Error(`no ${name} key`);
  return k;
}

export interface SandboxFixture {
  /** The running sandbox; read it inside tests or hooks, it exists only after `beforeAll`. */
  readonly sandbox: Sandbox;
  /** The emulator's base URL, e.g. `http://127.0.0.1:PORT/binance`. */
  readonly base: string;
  /** The keys the emulator issued, generated once when the fixture is declared. */
  readonly keys: SandboxKey[];
  key(name: string): SandboxKey;
}

/**
 * Runs one emulator for the enclosing `describe` (or file): keys are generated at once so tests
 * can name them, the server listens in `beforeAll` and closes in `afterAll`.
 */
export function useSandbox(emulator: SandboxEmulator): SandboxFixture {
  const keys = emulator.generateKeys();
  let running: Sandbox | undefined;
  beforeAll(async () => {
    running = createSandbox({ emulators: [emulator], keys });
    await running.listen(0);
  });
  afterAll(() => running?.close());
  const sandbox = (): Sandbox => {
    if (!running) throw new Error('sandbox not started: read it inside a test or hook');
    return running;
  };
  return {
    get sandbox() {
      return sandbox();
    },
    get base() {
      return sandbox().baseUrl(emulator.exchange);
    },
    keys,
    key: (name) => keyNamed(keys, name),
  };
}

export type CcxtClient<E extends ExchangeId> = InstanceType<(typeof ccxt)[E]>;

/**
 * An unmodified CCXT client for `exchange` holding `credential`, pointed at `base` with the
 * `urls` override `keywarden sandbox` prints (README "Exchanges"). CCXT's client-side throttle
 * is off unless `extra` says otherwise: the sandbox has no rate limits, the throttle only
 * slows tests down.
 */
export function ccxtAt<E extends ExchangeId>(
  exchange: E,
  base: string,
  credential: Credential,
  extra: Record<string, unknown> = {},
): CcxtClient<E> {
  const Client: new (config: Record<string, unknown>) => unknown = ccxt[exchange];
  return new Client({
    apiKey: credential.apiKey,
    secret: credential.secret,
    ...(credential.password !== undefined ? { password: credential.password } : {}),
    ...ccxtOverride(exchange, base),
    enableRateLimit: false,
    ...extra,
  }) as CcxtClient<E>;
}

/** Sends an adapter-shaped request to `base` as it is, the body only when there is one. */
export async function sendTo(base: string, request: ExchangeRequest): Promise<ExchangeResponse> {
  const res = await fetch(`${base}${request.path}${request.query ? `?${request.query}` : ''}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== '' ? { body: request.body } : {}),
  });
  return { status: res.status, headers: {}, body: await res.text() };
}

/** {@link sendTo}, with the answer's body parsed as JSON for assertions on the exchange's codes. */
export async function sendJson<T>(
  base: string,
  request: ExchangeRequest,
): Promise<ExchangeResponse & { json: T }> {
  const response = await sendTo(base, request);
  return { ...response, json: JSON.parse(response.body) as T };
}

/** The `METHOD /path` of every request the sandbox has served so far, in order. */
export function requestLines(sandbox: Sandbox): string[] {
  return sandbox.log.map((l) => `${l.method} ${l.path}`);
}

/**
 * The order round trip every CCXT sandbox test runs against `BTC/<quote>` and `ETH/<quote>`,
 * from the engine's seeded account (100,000 of the quote currency, 2 BTC, ETH at 3,000): a
 * resting limit buy that shows in the open orders, a market buy of 0.5 ETH filled at the engine
 * price, the limit cancelled and gone from the open orders, and exactly that one trade.
 */
export async function orderRoundTrip(ex: Exchange, quote: string) {
  const balance = await ex.fetchBalance();
  expect(balance[quote]).toMatchObject({ total: 100000 });
  expect(balance.BTC).toMatchObject({ free: 2, total: 2 });
  const btc = `BTC/${quote}`;
  const limit = await ex.createOrder(btc, 'limit', 'buy', 0.01, 50000);
  expect(limit.id).toBeTruthy();
  expect((await ex.fetchOpenOrders(btc)).map((o) => o.id)).toContain(limit.id);
  const market = await ex.createOrder(`ETH/${quote}`, 'market', 'buy', 0.5);
  expect(market.id).toBeTruthy();
  const canceled = await ex.cancelOrder(String(limit.id), btc);
  expect(await ex.fetchOpenOrders(btc)).toHaveLength(0);
  const trades = await ex.fetchMyTrades(`ETH/${quote}`);
  expect(trades).toHaveLength(1);
  expect(trades[0]).toMatchObject({ amount: 0.5, price: 3000 });
  return { limit, market, canceled };
}

/**
 * What `adapter.introspect` reads from the emulator for one of its seeded keys, over real
 * sockets; `ctx` is asked anew for every call so each is signed at its own time.
 */
export function introspectSeeded(adapter: ExchangeAdapter, box: SandboxFixture, ctx: () => SignContext) {
  return (name: string) => adapter.introspect(box.key(name).credential, (r) => sendTo(box.base, r), ctx());
}

/**
 * The permissions every emulator seeds (emulator.ts), read back through the adapter's
 * introspection: `full` trades and withdraws from anywhere, `read` does neither, and
 * `iprestricted` is refused from 127.0.0.1 so its introspection is unavailable here. `also`
 * adds what one exchange reports beyond that.
 */
export async function expectSeededPermissions(
  introspect: (name: string) => Promise<Introspection>,
  also: { full?: object; read?: object; iprestricted?: object } = {},
): Promise<void> {
  expect(await introspect('full')).toMatchObject({
    available: true,
    canTrade: true,
    canWithdraw: true,
    ipRestricted: false,
    ...also.full,
  });
  expect(await introspect('read')).toMatchObject({ canTrade: false, canWithdraw: false, ...also.read });
  expect(await introspect('iprestricted')).toMatchObject({ available: false, ...also.iprestricted });
}
