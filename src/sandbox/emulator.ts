import type { Clock, ExchangeId } from '../core/index.js';
import type { Credential, ExchangeRequest, ExchangeResponse, NonceLedger } from '../exchanges/index.js';
import type { Engine } from './engine.js';
import type { SandboxRateLimits } from './rate-limits.js';

export interface SandboxPermissions {
  read: boolean;
  trade: boolean;
  withdraw: boolean;
  transfer: boolean;
}

/** A key the emulated exchange has issued. Sandbox keys are the exchange's data, not keywarden's. */
export interface SandboxKey {
  exchange: ExchangeId;
  /** `read`, `trade`, `full` or `iprestricted`. */
  name: string;
  credential: Credential;
  /**
   * What the emulated exchange checks a signature against: for HMAC schemes the secret,
   * for public-key schemes (Coinbase ES256, Binance Ed25519/RSA) the public key PEM.
   */
  verifySecret: string;
  permissions: SandboxPermissions;
  /** Exchange-side IP allow-list; undefined = unrestricted. */
  ipAllow?: string[];
  /** Balances are per account; all keys of one exchange share the `main` account by default. */
  account: string;
}

export interface SandboxRequest extends ExchangeRequest {
  sourceIp: string;
  /** Host header as received (Coinbase's JWT `uri` claim names it). */
  host: string;
  /** The path prefix this emulator is mounted under, e.g. `/coinbase`. */
  prefix: string;
}

export interface SandboxContext {
  engine: Engine;
  clock: Clock;
  nonces: NonceLedger;
  /** Look up one of this exchange's keys by its api-key id. */
  keyById(apiKey: string): SandboxKey | undefined;
  /** The sandbox's rate-limit state and injected faults (absent: no limits enforced). */
  limits?: SandboxRateLimits;
}

export interface SandboxEmulator {
  readonly exchange: ExchangeId;
  /** Fresh random keys: at least `read`, `trade`, `full` and `iprestricted` (allowed only from a non-loopback IP). */
  generateKeys(): SandboxKey[];
  handle(request: SandboxRequest, ctx: SandboxContext): ExchangeResponse | Promise<ExchangeResponse>;
  /** WebSocket emulation (src/sandbox/<name>-ws.ts), where the exchange offers private streams. */
  readonly ws?: SandboxWsEmulator;
}

/** One emulated WebSocket connection as its emulator sees it. */
export interface SandboxWsPeer {
  readonly sourceIp: string;
  readonly host: string;
  send(text: string): void;
}

/** What one message did, for the sandbox's request log (the proof of what reached the exchange). */
export interface SandboxWsLog {
  method: string;
  query: string;
  status: number;
}

export interface SandboxWsSession {
  message(text: string): Promise<SandboxWsLog | undefined>;
  /** The engine may have changed (any request, REST or WebSocket): emit the account's events. */
  changed(): void;
  /** The connection reached its lifetime and is closed shortly: tell the client, as the exchange does (Binance's `serverShutdown`). */
  shutdownNotice?(): void;
}

export interface SandboxWsEmulator {
  /** Paths under `/<exchange>` served, the exchange's own (e.g. `/ws-api/v3`). */
  readonly paths: readonly string[];
  connect(
    peer: SandboxWsPeer,
    path: string,
    ctx: SandboxContext & { emulator: SandboxEmulator },
  ): SandboxWsSession;
}

/** The non-loopback address the `iprestricted` keys are pinned to (TEST-NET-3, never routed). */
export const SANDBOX_RESTRICTED_IP = '203.0.113.7';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ExchangeResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
