/**
 * Key verification: ask the exchange (through the adapter's introspection) what a registered
 * key may do, flag what least privilege forbids, and record the result (keys-store.ts).
 * The exchange's raw answer is kept for the record only after anything secret (the api key,
 * secret, passphrase, fields named like secrets) has been scrubbed from it.
 */
import type { AuditLog } from '../audit/index.js';
import type { ExchangeId } from '../core/index.js';
import type { Credential, ExchangeAdapter, Introspection, Transport } from '../exchanges/index.js';
import { adapterFor as defaultAdapterFor } from '../exchanges/index.js';
import type { Monitor, SystemEvent } from '../monitor/index.js';
import { type ExchangeAccess, leaseNonce } from './exchange-access.js';
import { appendKeyAudit } from './key-audit.js';
import type { KeyCheck, KeyCheckFlag, KeyCheckStore, KeyRecord, KeyRegistry } from './key-types.js';

/** Flags that make a key over-permissive (the `key_over_permissive` alert). */
export const OVER_PERMISSIVE_FLAGS: ReadonlySet<KeyCheckFlag> = new Set([
  'withdraw_enabled',
  'transfer_enabled',
  'no_ip_restriction',
]);

const SECRET_NAME = /secret|passw|passphrase|private|token|signature|^api_?key$|^key$/i;
const REDACTED = '[redacted]';
/** Raw answers above this size are not kept (the flags and booleans still are). */
const MAX_RAW_CHARS = 16_384;

function scrub(value: unknown, needles: readonly string[], depth: number): unknown {
  if (typeof value === 'string') return needles.some((n) => value.includes(n)) ? REDACTED : value;
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrub(v, needles, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_NAME.test(k) && v !== null && v !== '' ? REDACTED : scrub(v, needles, depth + 1);
  return out;
}

/**
 * The introspection as it may be stored and shown: adapters drop the secrets they know of, but
 * some answers echo the api key (Bybit's query-api does); any value containing a credential
 * field, and any field named like a secret, is replaced.
 */
export function scrubIntrospection(result: Introspection, credential: Credential): Introspection {
  const needles = [credential.apiKey, credential.secret, credential.password, credential.privateKey]
    .filter((v): v is string => typeof v === 'string' && v.length >= 6)
    .flatMap((v) => {
      // PEM secrets: also catch their base64 body lines on their own.
      const lines = v.split(/\\n|\n/).filter((l) => l.length >= 16 && !l.startsWith('-----'));
      return [v, ...lines];
    });
  if (!result.available) return { available: false, reason: String(scrub(result.reason, needles, 0)) };
  let raw = scrub(result.raw, needles, 0);
  if (JSON.stringify(raw ?? null).length > MAX_RAW_CHARS) raw = { omitted: 'answer too large to keep' };
  return { ...result, raw };
}

/** Least-privilege findings for one introspection. */
export function flagsFor(result: Introspection, transportFailed: boolean): KeyCheckFlag[] {
  if (!result.available) return [transportFailed ? 'check_failed' : 'introspection_unavailable'];
  const flags: KeyCheckFlag[] = [];
  if (result.canWithdraw) flags.push('withdraw_enabled');
  if (result.canTransfer) flags.push('transfer_enabled');
  if (!result.ipRestricted) flags.push('no_ip_restriction');
  return flags;
}

export interface IntrospectOutcome {
  /** Already scrubbed. */
  introspection: Introspection;
  /** The exchange could not be reached (as opposed to answering that it will not tell). */
  failed: boolean;
}

/** One introspection of a credential through the adapter; never throws, never returns a secret. */
export async function introspectCredential(
  adapter: ExchangeAdapter,
  credential: Credential,
  access: ExchangeAccess,
  nonceKey: string,
  now: () => number = Date.now,
): Promise<IntrospectOutcome> {
  let failed = false;
  let nonce: Awaited<ReturnType<typeof leaseNonce>> | undefined;
  try {
    const inner = access.transport(adapter.id);
    // Leased like the gateway's own signing: a check during gateway traffic cannot overtake it.
    if (adapter.sequencedNonces) nonce = await leaseNonce(access, nonceKey);
    const send: Transport = async (request) => {
      try {
        return await inner(request);
      } catch (err) {
        failed = true;
        throw err;
      }
    };
    const result = await adapter.introspect(credential, send, {
      clock: { now },
      nonce: nonce ?? access.nonce(nonceKey),
      baseUrl: access.baseUrl(adapter.id),
    });
    return {
      introspection: scrubIntrospection(result, credential),
      failed: failed && !result.available,
    };
  } catch (err) {
    // Adapter and network errors may echo request details: keep only the kind of failure.
    const code = err instanceof Error && 'code' in err ? String(err.code) : '';
    const reason =
      code === 'upstream_failed'
        ? `${adapter.id} did not answer`
        : code === 'invalid_config'
          ? (err as Error).message
          : `${adapter.id} introspection failed`;
    return { introspection: { available: false, reason }, failed: true };
  } finally {
    nonce?.release();
  }
}

export interface VerifyDeps {
  keys: Pick<KeyRegistry, 'credential'>;
  access: ExchangeAccess;
  checks?: KeyCheckStore;
  audit?: Pick<AuditLog, 'append'>;
  monitor?: Pick<Monitor, 'observe'>;
  adapterFor?: (id: ExchangeId) => ExchangeAdapter;
  now?: () => number;
  /** Who runs the check, for the audit record. */
  actor?: string;
}

const FLAG_WORDS: Record<KeyCheckFlag, string> = {
  withdraw_enabled: 'can withdraw',
  transfer_enabled: 'can transfer funds',
  no_ip_restriction: 'has no exchange-side IP restriction',
  introspection_unavailable: 'could not be introspected',
  check_failed: 'could not be checked',
};

/** The `key_over_permissive` system event for a check, if it found anything over-permissive. */
export function overPermissiveEvent(key: KeyRecord, check: KeyCheck): SystemEvent | undefined {
  const bad = check.flags.filter((f) => OVER_PERMISSIVE_FLAGS.has(f));
  if (bad.length === 0) return undefined;
  return {
    type: 'system',
    at: check.checkedAt,
    kind: 'key_over_permissive',
    keyLabel: key.label,
    message: `key ${key.label} (${key.exchange}, ${key.environment}) ${bad.map((f) => FLAG_WORDS[f]).join(', ')}`,
    detail: { exchange: key.exchange, keyVersion: check.keyVersion, flags: bad },
  };
}

/** Verify one registered key against its exchange, record the result, alert and audit it. */
export async function verifyKey(deps: VerifyDeps, key: KeyRecord): Promise<KeyCheck> {
  const now = deps.now ?? Date.now;
  let outcome: IntrospectOutcome;
  try {
    const credential = await deps.keys.credential(key.id, key.version);
    const adapter = (deps.adapterFor ?? defaultAdapterFor)(key.exchange);
    outcome = await introspectCredential(adapter, credential, deps.access, key.id, now);
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'error';
    outcome = { introspection: { available: false, reason: `key not usable (${code})` }, failed: true };
  }
  const check: KeyCheck = {
    keyId: key.id,
    keyVersion: key.version,
    checkedAt: now(),
    introspection: outcome.introspection,
    flags: flagsFor(outcome.introspection, outcome.failed),
  };
  await deps.checks?.record(check);
  const live = check.introspection.available;
  await appendKeyAudit(deps, 'key.verify', key, { version: key.version, live, flags: check.flags });
  const event = overPermissiveEvent(key, check);
  if (event) deps.monitor?.observe(event);
  return check;
}

/** Verify several keys, one after the other (one request burst per exchange at most). */
export async function verifyKeys(deps: VerifyDeps, keys: readonly KeyRecord[]): Promise<KeyCheck[]> {
  const out: KeyCheck[] = [];
  for (const key of keys) out.push(await verifyKey(deps, key));
  return out;
}
