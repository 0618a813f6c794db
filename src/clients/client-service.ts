/**
 * Client credentials: a client is bound to one registered exchange key and one policy. The
 * drop-in credential is issued by the exchange adapter in the exchange's own shape; keywarden
 * keeps only what it needs to verify it (HMAC secret/passphrase encrypted in the vault, or
 * Coinbase's public key) and a SHA-256 of the bearer token. Every change bumps
 * `clients_version` so gateways (in this or another process) reload client state.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/index.js';
import { isCidr } from '../config/index.js';
import type { ExchangeId } from '../core/index.js';
import { KeywardenError, prefixedId } from '../core/index.js';
import type { ClientVerifier, ExchangeAdapter } from '../exchanges/index.js';
import type { Environment, KeyRegistry } from '../keys/index.js';
import type { Policy } from '../policy/index.js';
import { validatePolicy } from '../policy/index.js';
import type { Database } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import type {
  ClientRecord,
  ClientStatus,
  IssuedClient,
  LiveCredential,
  LoadedClient,
  NewClient,
  ThirdParty,
} from './client-types.js';
import { type ClientRow, type ClientSettings, createClientsStore } from './clients-store.js';
import { validateThirdParty } from './third-party.js';

export interface ClientServiceDeps {
  db: Kysely<Database>;
  /** Synchronous read of the change counter (one prepared statement); see `createVersionReader`. */
  readVersion: () => number;
  vault: Vault;
  keys: KeyRegistry;
  audit: AuditLog;
  adapterFor: (id: ExchangeId) => ExchangeAdapter;
  now?: () => number;
  /** Who performs admin actions (recorded in the audit log). */
  actor?: string;
}

export interface ClientService {
  add(input: NewClient): Promise<IssuedClient>;
  list(): Promise<ClientRecord[]>;
  get(ref: string): Promise<ClientRecord | undefined>;
  freeze(ref: string): Promise<ClientRecord>;
  unfreeze(ref: string): Promise<ClientRecord>;
  revoke(ref: string): Promise<ClientRecord>;
  /** Replace the source-IP allow-list (at least one address or CIDR block); applies on the next request. */
  setIpAllow(ref: string, cidrs: string[]): Promise<ClientRecord>;
  /** Replace the policy (validated again here); applies on the next request. */
  setPolicy(ref: string, policy: Policy): Promise<ClientRecord>;
  /** Mark the client as a third-party integration (or, with undefined, as one of our own bots). */
  setThirdParty(ref: string, thirdParty: ThirdParty | undefined): Promise<ClientRecord>;
  /** New credentials; the old ones keep working for `graceMs` (0 = revoked at once). */
  reroll(ref: string, graceMs?: number): Promise<IssuedClient>;
  /** Every client with its decrypted verifiers (requires an unsealed vault). For the gateway's cache. */
  loadAll(): Promise<LoadedClient[]>;
  /** The change counter; cheap enough to read on every request. */
  version(): number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

type Row = ClientRow;

function toRecord(row: Row, apiKeyIds: string[]): ClientRecord {
  return {
    id: row.id,
    name: row.name,
    exchange: row.exchange as ExchangeId,
    keyId: row.key_id,
    environment: row.environment as Environment,
    status: row.status as ClientStatus,
    policy: JSON.parse(row.policy_json) as Policy,
    ipAllow: JSON.parse(row.ip_allow_json) as string[],
    ...(row.rate_per_second !== null ? { ratePerSecond: row.rate_per_second } : {}),
    ...(row.expires_at !== null ? { expiresAt: row.expires_at } : {}),
    ...(row.third_party_json ? { thirdParty: JSON.parse(row.third_party_json) as ThirdParty } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
    apiKeyIds,
  };
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function createClientService(deps: ClientServiceDeps): ClientService {
  const { vault } = deps;
  const store = createClientsStore(deps.db);
  const now = deps.now ?? Date.now;
  const actor = deps.actor ?? 'cli';

  const identity = (credId: string, exchange: string, name: string) => ({
    id: `client-credential:${credId}`,
    version: 1,
    exchange,
    label: name,
  });

  async function liveKeyIds(clientId: string): Promise<string[]> {
    const t = now();
    const rows = await store.credentialsOf(clientId);
    return rows
      .filter((r) => r.status === 'active' || (r.status === 'retiring' && (r.not_after ?? 0) > t))
      .map((r) => r.api_key_id);
  }

  async function row(ref: string): Promise<Row> {
    const r = await store.byRef(ref);
    if (!r) throw new KeywardenError('not_found', `no client "${ref.slice(0, 64)}"`);
    return r;
  }

  async function record(event: Parameters<AuditLog['append']>[0]): Promise<void> {
    await deps.audit.append({ actor, ...event });
  }

  /** Issue a fresh credential + token for a client and encrypt its verifier; returns the row to insert. */
  function issue(client: { id: string; exchange: ExchangeId; name: string }) {
    const adapter = deps.adapterFor(client.exchange);
    const { credential, verifier } = adapter.issueClientCredential();
    const token = prefixedId('kw', 43);
    const credId = prefixedId('cc', 20);
    const secretPart: Omit<ClientVerifier, 'apiKey'> = {
      secret: verifier.secret,
      ...(verifier.password !== undefined ? { password: verifier.password } : {}),
    };
    const blob = vault.encrypt(
      identity(credId, client.exchange, client.name),
      Buffer.from(JSON.stringify(secretPart), 'utf8'),
    );
    return {
      credential,
      token,
      row: {
        id: credId,
        client_id: client.id,
        api_key_id: verifier.apiKey,
        verifier_envelope: blob.envelope,
        token_hash: hashToken(token),
        status: 'active',
        not_after: null,
        created_at: now(),
      },
    };
  }

  const refuseRevoked = (r: Row) => {
    if (r.status === 'revoked')
      throw new KeywardenError('invalid_input', `client "${r.name}" is revoked; issue a new client`);
  };

  async function setStatus(ref: string, status: ClientStatus, action: string): Promise<ClientRecord> {
    // The guard runs on the row as read inside the write transaction.
    const r = await store.setStatus(ref, status, now(), status === 'revoked' ? () => {} : refuseRevoked);
    await record({ kind: 'admin', action, clientId: r.id, exchange: r.exchange, detail: { name: r.name } });
    return toRecord(await row(r.id), await liveKeyIds(r.id));
  }

  /** Change settings of a live client in one transaction with the version bumps, then audit it. */
  async function update(
    ref: string,
    set: ClientSettings,
    action: string,
    detail: Record<string, unknown>,
  ): Promise<ClientRecord> {
    const r = await store.update(ref, set, now(), refuseRevoked);
    await record({
      kind: 'admin',
      action,
      clientId: r.id,
      exchange: r.exchange,
      detail: { name: r.name, ...detail },
    });
    return toRecord(await row(r.id), await liveKeyIds(r.id));
  }

  return {
    async add(input) {
      if (!NAME_RE.test(input.name))
        throw new KeywardenError('invalid_input', 'client name: letters, digits, . _ - (max 64)');
      if (vault.isSealed()) throw new KeywardenError('vault_sealed');
      const key = await deps.keys.get(input.key);
      if (!key) throw new KeywardenError('not_found', `no exchange key "${input.key.slice(0, 64)}"`);
      if (key.status !== 'active') throw new KeywardenError('invalid_input', `key "${key.label}" is retired`);
      if (await store.nameTaken(input.name))
        throw new KeywardenError('duplicate', `a client named "${input.name}" already exists`);
      const thirdParty = input.thirdParty === undefined ? undefined : validateThirdParty(input.thirdParty);
      const t = now();
      const id = prefixedId('cl', 20);
      const issued = issue({ id, exchange: key.exchange, name: input.name });
      await store.insert(
        {
          id,
          name: input.name,
          exchange: key.exchange,
          key_id: key.id,
          environment: input.environment ?? key.environment,
          status: 'active',
          policy_json: JSON.stringify(input.policy),
          ip_allow_json: JSON.stringify(input.ipAllow ?? []),
          rate_per_second: input.ratePerSecond ?? null,
          expires_at: input.expiresAt ?? null,
          third_party_json: thirdParty === undefined ? null : JSON.stringify(thirdParty),
          created_at: t,
          updated_at: t,
          version: 1,
        },
        issued.row,
      );
      await record({
        kind: 'admin',
        action: 'client.add',
        clientId: id,
        keyId: key.id,
        exchange: key.exchange,
        sensitive: { clientKeyId: issued.row.api_key_id },
        detail: { name: input.name, key: key.label, ...(thirdParty ? { vendor: thirdParty.vendor } : {}) },
      });
      return {
        client: toRecord(await row(id), [issued.row.api_key_id]),
        credential: issued.credential,
        token: issued.token,
      };
    },

    async list() {
      const rows = await store.list();
      return Promise.all(rows.map(async (r) => toRecord(r, await liveKeyIds(r.id))));
    },

    async get(ref) {
      try {
        const r = await row(ref);
        return toRecord(r, await liveKeyIds(r.id));
      } catch (err) {
        if (err instanceof KeywardenError && err.code === 'not_found') return undefined;
        throw err;
      }
    },

    freeze: (ref) => setStatus(ref, 'frozen', 'client.freeze'),
    unfreeze: (ref) => setStatus(ref, 'active', 'client.unfreeze'),
    revoke: (ref) => setStatus(ref, 'revoked', 'client.revoke'),

    async setIpAllow(ref, cidrs) {
      if (cidrs.length === 0)
        throw new KeywardenError(
          'invalid_input',
          'an allow-list needs at least one IP address or CIDR block',
        );
      const bad = cidrs.find((c) => !isCidr(c));
      if (bad !== undefined)
        throw new KeywardenError('invalid_input', `"${bad.slice(0, 50)}" is not an IP address or CIDR block`);
      const ipAllow = [...new Set(cidrs)];
      return update(ref, { ip_allow_json: JSON.stringify(ipAllow) }, 'client.set_ip', { ipAllow });
    },

    async setPolicy(ref, policy) {
      // Callers may hand in any object (a parsed file, a library user's literal): check it here too.
      const valid = validatePolicy(policy);
      return update(ref, { policy_json: JSON.stringify(valid) }, 'client.set_policy', {
        mode: valid.mode,
        actions: valid.actions,
      });
    },

    async setThirdParty(ref, thirdParty) {
      const valid = thirdParty === undefined ? undefined : validateThirdParty(thirdParty);
      return update(
        ref,
        { third_party_json: valid === undefined ? null : JSON.stringify(valid) },
        'client.set_third_party',
        valid === undefined
          ? { thirdParty: null }
          : { vendor: valid.vendor, purpose: valid.purpose, reviewBy: valid.reviewBy },
      );
    },

    async reroll(ref, graceMs = 0) {
      const r = await row(ref);
      if (r.status === 'revoked') throw new KeywardenError('invalid_input', `client "${r.name}" is revoked`);
      if (vault.isSealed()) throw new KeywardenError('vault_sealed');
      const t = now();
      const issued = issue({ id: r.id, exchange: r.exchange as ExchangeId, name: r.name });
      // Revoked meanwhile (another process): refused on the row the transaction read.
      await store.reroll(issued.row, graceMs, t, (now) => {
        if (now.status === 'revoked')
          throw new KeywardenError('invalid_input', `client "${now.name}" is revoked`);
      });
      await record({
        kind: 'admin',
        action: 'client.reroll',
        clientId: r.id,
        exchange: r.exchange,
        sensitive: { clientKeyId: issued.row.api_key_id },
        detail: { name: r.name, graceMs },
      });
      return {
        client: toRecord(await row(r.id), await liveKeyIds(r.id)),
        credential: issued.credential,
        token: issued.token,
      };
    },

    async loadAll() {
      const clients = await store.all();
      const creds = await store.allCredentials();
      const byClient = new Map<string, typeof creds>();
      const revoked = new Map<string, LoadedClient['revoked']>();
      for (const c of creds) {
        if (c.status === 'revoked') {
          const list = revoked.get(c.client_id) ?? [];
          list.push({ apiKeyId: c.api_key_id, tokenHash: c.token_hash });
          revoked.set(c.client_id, list);
          continue;
        }
        const list = byClient.get(c.client_id) ?? [];
        list.push(c);
        byClient.set(c.client_id, list);
      }
      return clients.map((c) => {
        const live: LiveCredential[] = (byClient.get(c.id) ?? []).map((cr) => {
          const plain = vault.decrypt(identity(cr.id, c.exchange, c.name), {
            envelope: cr.verifier_envelope,
          });
          const secretPart = JSON.parse(plain.toString('utf8')) as Omit<ClientVerifier, 'apiKey'>;
          plain.fill(0);
          return {
            apiKeyId: cr.api_key_id,
            verifier: { apiKey: cr.api_key_id, ...secretPart },
            tokenHash: cr.token_hash,
            ...(cr.status === 'retiring' && cr.not_after !== null ? { notAfter: cr.not_after } : {}),
          };
        });
        return {
          record: toRecord(
            c,
            live.map((l) => l.apiKeyId),
          ),
          credentials: live,
          revoked: revoked.get(c.id) ?? [],
        };
      });
    },

    version: deps.readVersion,
  };
}
