/**
 * What the five CCXT Pro WebSocket e2e files share: planting a canary as the sandbox's `full`
 * key secret (so a test can search every frame, log and record for it), and an unmodified CCXT
 * Pro client pointed at the gateway with the `urls` override `client add --json` prints.
 */
import ccxt from 'ccxt';
import { ccxtOverride } from '../../src/cli/sandbox.js';
import type { ExchangeId } from '../../src/core/index.js';
import type { Credential } from '../../src/exchanges/adapter.js';
import type { Policy } from '../../src/policy/policy-types.js';
import type { SandboxKey } from '../../src/sandbox/emulator.js';

/** The client policy the WebSocket e2e files grant: BTC/USDT only, orders up to 1,000 USDT, no fund movement. */
export const WS_E2E_POLICY: Policy = {
  mode: 'enforce',
  actions: ['public', 'read', 'trade', 'cancel'],
  symbols: { allow: ['BTC/USDT'] },
  maxOrderNotional: 1000,
};

/** A plantKeys hook: the exchange's `full` key gets `secret` (kept in sync with what the sandbox verifies). */
export function plantCanary(exchange: ExchangeId, secret: string): (keys: SandboxKey[]) => void {
  return (keys) => {
    for (const k of keys)
      if (k.exchange === exchange && k.name === 'full') {
        k.credential.secret = secret;
        k.verifySecret = secret;
      }
  };
}

// biome-ignore lint/suspicious/noExplicitAny: CCXT Pro's classes are untyped here
export function ccxtPro(exchange: ExchangeId, gatewayUrl: string, credential: Credential): any {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const Pro = (ccxt as any).pro[exchange];
  return new Pro({
    ...credential,
    ...ccxtOverride(exchange, `${gatewayUrl}/${exchange}`),
    enableRateLimit: false,
  });
}
