/**
 * Contract fakes for the modules other areas own (vault, key registry, audit log, policy
 * evaluation), so gateway tests run on their own. They follow the contracts in
 * src/vault/vault-types.ts, src/keys/key-types.ts, src/audit/audit-types.ts and
 * src/policy/policy-types.ts.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import type { AuditEvent, AuditLog, AuditRecord } from '../../src/audit/audit-types.js';
import type { ExchangeId } from '../../src/core/index.js';
import { KeywardenError } from '../../src/core/index.js';
import type { Credential } from '../../src/exchanges/adapter.js';
import type { Environment, KeyRecord, KeyRegistry } from '../../src/keys/index.js';
import type { RecordIdentity, Vault } from '../../src/vault/vault-types.js';

export function fakeVault(): Vault & { master: Buffer } {
  const master = randomBytes(32);
  let sealed = false;
  const aad = (i: RecordIdentity) => Buffer.from(JSON.stringify([i.id, i.version, i.exchange, i.label]));
  return {
    master,
    isSealed: () => sealed,
    async unseal(source) {
      if (source.kind === 'passphrase' && source.passphrase !== 'correct horse')
        throw new KeywardenError('wrong_master_key');
      sealed = false;
    },
    seal() {
      sealed = true;
    },
    encrypt(identity, plaintext) {
      if (sealed) throw new KeywardenError('vault_sealed');
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', master, iv).setAAD(aad(identity));
      const ct = Buffer.concat([c.update(plaintext), c.final()]);
      return { envelope: Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64') };
    },
    decrypt(identity, blob) {
      if (sealed) throw new KeywardenError('vault_sealed');
      const raw = Buffer.from(blob.envelope, 'base64');
      const d = createDecipheriv('aes-256-gcm', master, raw.subarray(0, 12)).setAAD(aad(identity));
      d.setAuthTag(raw.subarray(12, 28));
      try {
        return Buffer.concat([d.update(raw.subarray(28)), d.final()]);
      } catch {
        throw new KeywardenError('decrypt_failed');
      }
    },
    fingerprint: (v) => createHmac('sha256', master).update(`fp:${v}`).digest('hex'),
    auditHmac: (v) => createHmac('sha256', master).update(`audit:${v}`).digest('hex'),
  };
}

export function fakeKeys(): KeyRegistry & {
  put(label: string, exchange: ExchangeId, credential: Credential, environment?: Environment): KeyRecord;
} {
  const records = new Map<string, KeyRecord>();
  const creds = new Map<string, Credential>();
  const find = (ref: string) => records.get(ref) ?? [...records.values()].find((r) => r.label === ref);
  return {
    put(label, exchange, credential, environment = 'prod') {
      const id = `key_${createHash('sha256').update(label).digest('hex').slice(0, 12)}`;
      const r: KeyRecord = {
        id,
        label,
        exchange,
        environment,
        fingerprint: 'x',
        last4: credential.apiKey.slice(-4),
        version: 1,
        status: 'active',
        createdAt: Date.now(),
      };
      records.set(id, r);
      creds.set(id, credential);
      return r;
    },
    async add() {
      throw new Error('not used');
    },
    async list() {
      return [...records.values()];
    },
    async get(ref) {
      return find(ref);
    },
    async retire(ref) {
      const r = find(ref);
      if (!r) throw new KeywardenError('not_found');
      r.status = 'retired';
      return r;
    },
    async credential(ref) {
      const r = find(ref);
      const c = r ? creds.get(r.id) : undefined;
      if (!c) throw new KeywardenError('not_found');
      return { ...c };
    },
  };
}

export function fakeAudit(): AuditLog & { records: AuditRecord[]; failing: boolean } {
  const records: AuditRecord[] = [];
  const log = {
    records,
    failing: false,
    async append(event: AuditEvent): Promise<AuditRecord> {
      if (log.failing) throw new KeywardenError('audit_unavailable');
      const { sensitive, ...rest } = event;
      const r: AuditRecord = {
        ...rest,
        seq: records.length + 1,
        at: Date.now(),
        ...(sensitive
          ? {
              hmacs: Object.fromEntries(
                Object.entries(sensitive).map(([k, v]) => [k, createHash('sha256').update(v).digest('hex')]),
              ),
            }
          : {}),
        prevHash: '',
        hash: '',
      };
      records.push(r);
      return r;
    },
    async close() {},
  };
  return log;
}
