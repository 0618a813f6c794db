import type { ExchangeId } from '../core/index.js';
import type { Credential } from '../exchanges/index.js';
import { SANDBOX_RESTRICTED_IP, type SandboxKey, type SandboxPermissions } from './emulator.js';

/** What one exchange issues for a key: the user's credential and what the exchange verifies against. */
export interface IssuedKey {
  credential: Credential;
  verifySecret: string;
}

const READ: SandboxPermissions = { read: true, trade: false, withdraw: false, transfer: false };
const TRADE: SandboxPermissions = { read: true, trade: true, withdraw: false, transfer: false };
const FULL: SandboxPermissions = { read: true, trade: true, withdraw: true, transfer: true };

export function sandboxKey(
  exchange: ExchangeId,
  name: string,
  issued: IssuedKey,
  permissions: SandboxPermissions,
  ipAllow?: string[],
): SandboxKey {
  return {
    exchange,
    name,
    credential: issued.credential,
    verifySecret: issued.verifySecret,
    // A copy: a key's permissions may be edited in the sandbox without touching its siblings.
    permissions: { ...permissions },
    ...(ipAllow ? { ipAllow } : {}),
    account: 'main',
  };
}

/**
 * The key set every emulator seeds (see SandboxEmulator.generateKeys): `read`, `trade`, `full`
 * and a trade key pinned to SANDBOX_RESTRICTED_IP. `issue` makes the exchange-shaped material.
 */
export function seedKeys(exchange: ExchangeId, issue: (name: string) => IssuedKey): SandboxKey[] {
  return [
    sandboxKey(exchange, 'read', issue('read'), READ),
    sandboxKey(exchange, 'trade', issue('trade'), TRADE),
    sandboxKey(exchange, 'full', issue('full'), FULL),
    sandboxKey(exchange, 'iprestricted', issue('iprestricted'), TRADE, [SANDBOX_RESTRICTED_IP]),
  ];
}
