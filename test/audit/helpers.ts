import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditLogHandle, createAuditLog } from '../../src/audit/audit-log.js';
import type { AuditEvent } from '../../src/audit/audit-types.js';
import { createCheckpointKey, createSigner } from '../../src/audit/checkpoint-signer.js';
import { openStore, type Store } from '../../src/store/db.js';

export const hmacKey = randomBytes(32);
export const hmac = (value: string): string => createHmac('sha256', hmacKey).update(value).digest('hex');
export const checkpointKey = createCheckpointKey();

export interface Fixture {
  store: Store;
  log: AuditLogHandle;
  dir: string;
}

export async function openFixture(checkpointEvery = 5): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-audit-'));
  const store = await openStore(dir);
  let t = Date.UTC(2026, 10, 23, 8, 0);
  const log = createAuditLog(store.sqlite, {
    hmac,
    signer: createSigner(checkpointKey.privateKeyPem),
    clock: () => {
      t += 1000;
      return t;
    },
    checkpointEvery,
    checkpointIntervalMs: 3_600_000,
  });
  return { store, log, dir };
}

export function requestEvent(i: number, over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    kind: 'request',
    requestId: `req_${i}`,
    actor: i % 2 === 0 ? 'bot-a' : 'bot-b',
    clientId: i % 2 === 0 ? 'cl_a' : 'cl_b',
    keyId: 'key_1',
    exchange: 'binance',
    action: i % 3 === 0 ? 'read' : 'trade',
    endpoint: 'POST /api/v3/order',
    symbol: 'BTC/USDT',
    side: 'buy',
    notional: 100 + i,
    decision: i % 4 === 0 ? 'deny' : 'allow',
    rule: i % 4 === 0 ? 'maxOrderNotional' : undefined,
    message: i % 4 === 0 ? 'order notional 12,000 USDT exceeds maxOrderNotional 5,000' : undefined,
    sourceIp: '127.0.0.1',
    upstreamStatus: 200,
    latencyMs: 12,
    ...over,
  };
}

export async function appendMany(log: AuditLogHandle, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await log.append(requestEvent(i));
}
