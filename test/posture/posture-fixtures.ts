import type { ClientRecord } from '../../src/clients/index.js';
import type { ExchangeId } from '../../src/core/index.js';
import type { IntrospectionResult } from '../../src/exchanges/adapter.js';
import type { KeyCheck, KeyCheckStore, KeyRecord } from '../../src/keys/index.js';
import type { PostureInput } from '../../src/posture/index.js';
import { DEFAULT_ROTATION_POLICY } from '../../src/rotation/index.js';

export const DAY = 86_400_000;
export const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

export function key(over: Partial<KeyRecord> = {}): KeyRecord {
  const label = over.label ?? 'bot-key';
  return {
    id: `key_${label}`,
    label,
    exchange: 'binance',
    environment: 'prod',
    fingerprint: `fp-${label}`,
    last4: 'abcd',
    version: 1,
    status: 'active',
    createdAt: NOW - 10 * DAY,
    ...over,
  };
}

export function client(over: Partial<ClientRecord> = {}): ClientRecord {
  const name = over.name ?? 'bot-1';
  return {
    id: `cl_${name}`,
    name,
    exchange: 'binance',
    keyId: 'key_bot-key',
    environment: 'prod',
    status: 'active',
    policy: { mode: 'enforce', actions: ['public', 'read', 'trade', 'cancel'] },
    ipAllow: ['203.0.113.10/32'],
    createdAt: NOW - 5 * DAY,
    updatedAt: NOW - 5 * DAY,
    version: 1,
    apiKeyIds: ['kw_x'],
    ...over,
  };
}

export function introspection(over: Partial<IntrospectionResult> = {}): IntrospectionResult {
  return {
    available: true,
    canRead: true,
    canTrade: true,
    canWithdraw: false,
    canTransfer: false,
    ipRestricted: true,
    ipList: ['198.51.100.7'],
    raw: {},
    ...over,
  };
}

export function check(k: KeyRecord, intro: KeyCheck['introspection'] = introspection()): KeyCheck {
  return { keyId: k.id, keyVersion: k.version, checkedAt: NOW - DAY, introspection: intro, flags: [] };
}

/** A healthy single-key, single-client setup; override any part. */
export function input(over: Partial<PostureInput> = {}): PostureInput {
  const k = key();
  return {
    now: NOW,
    keys: [k],
    clients: [client()],
    checks: new Map([[k.id, check(k)]]),
    rotation: DEFAULT_ROTATION_POLICY,
    gateway: { listen: '127.0.0.1:8787', tls: false },
    monitor: { enabled: true, sinks: [{ name: 'ops', type: 'webhook', minSeverity: 'warning' }] },
    audit: { fingerprintPinned: true },
    ...over,
  };
}

/** KeyCheckStore in memory, for tests that do not need SQLite. */
export function memoryKeyCheckStore(): KeyCheckStore & { all: KeyCheck[] } {
  const all: KeyCheck[] = [];
  return {
    all,
    async record(c) {
      all.push(c);
    },
    async latest() {
      const out = new Map<string, KeyCheck>();
      for (const c of all) out.set(c.keyId, c);
      return out;
    },
  };
}

export const exchanges: ExchangeId[] = ['binance', 'coinbase', 'kraken', 'okx', 'bybit'];
