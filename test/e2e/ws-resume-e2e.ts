/**
 * What the WebSocket resume e2e tests share (src/gateway/ws/ws-resume.ts): rotating an exchange
 * key as `keywarden key rotate` does (rotateKey, with the new credential verified against the
 * sandbox), the sandbox's WebSocket connections of an exchange (which key each is logged in
 * with), and a bounded wait.
 */
import { createExchangeAccess } from '../../src/cli/exchange-access.js';
import type { ExchangeId } from '../../src/core/index.js';
import { rotateKey } from '../../src/rotation/index.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';
import type { SandboxWsConnection } from '../../src/sandbox/ws-server.js';
import type { Harness } from '../gateway/harness.js';

/** A plantKeys hook: each exchange's `full` and `trade` keys get these secrets (HMAC schemes only). */
export function plantSecrets(secrets: Record<string, string>): (keys: SandboxKey[]) => void {
  return (keys) => {
    for (const k of keys) {
      const s = secrets[k.name];
      if (s === undefined) continue;
      k.credential.secret = s;
      k.verifySecret = s;
    }
  };
}

export function sandboxKey(h: Harness, exchange: ExchangeId, name: string): SandboxKey {
  const k = h.sandbox.keys.find((x) => x.exchange === exchange && x.name === name);
  if (!k) throw new Error(`no sandbox key ${exchange}/${name}`);
  return k;
}

/** Rotate the harness's key of `exchange` to the sandbox key `name`, verified first, no grace. */
export async function rotateTo(h: Harness, exchange: ExchangeId, name: string): Promise<void> {
  const access = createExchangeAccess(h.config, h.store);
  try {
    await rotateKey(
      { store: h.store, vault: h.vault, keys: h.keys, access },
      h.keyLabel(exchange),
      sandboxKey(h, exchange, name).credential,
      { graceMs: 0, verify: true },
    );
  } finally {
    await access.close();
  }
}

export const connections = (h: Harness, exchange: ExchangeId): SandboxWsConnection[] =>
  h.sandbox.ws.connections().filter((c) => c.exchange === exchange);
export const openConnections = (h: Harness, exchange: ExchangeId): SandboxWsConnection[] =>
  connections(h, exchange).filter((c) => c.closedAt === undefined);

export async function until(what: string, cond: () => boolean, ms = 8_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Watch with `watch` (a CCXT watchOrders) until the order `id` is among what it gives, bounded. */
export async function seenOrder(
  watch: () => Promise<Array<{ id: string }>>,
  id: () => string | undefined,
  ms = 8_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const left = end - Date.now();
    const got = await Promise.race([
      // A watch still pending when the client closes rejects: nothing is waiting for it then.
      watch().catch(() => undefined),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), left).unref()),
    ]);
    const want = id();
    if (got && want !== undefined && got.some((o) => o.id === want)) return;
  }
  throw new Error(`order ${id() ?? '?'} never arrived on the watch`);
}
