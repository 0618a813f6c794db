/**
 * Operators of the admin API: accounts and their enrolment (password + TOTP + recovery codes),
 * login with brute-force back-off, sessions, fresh-MFA checks, and role-bound API tokens.
 * Every change is an `admin` audit record naming the Actor; failed logins raise a monitor alert.
 *
 * Enrolment: `add` (CLI `operator add`, or an owner through the API) returns a one-time
 * enrolment code; `enrolStart` with it sets the password and answers the TOTP secret once;
 * `enrolFinish` with a code computed from that secret activates the account and answers the
 * recovery codes once. Until then the account cannot log in.
 */

import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/index.js';
import {
  type Actor,
  type Clock,
  describeActor,
  KeywardenError,
  prefixedId,
  type Role,
} from '../core/index.js';
import type { SystemEvent } from '../monitor/index.js';
import type { Database } from '../store/index.js';
import type { Vault } from '../vault/index.js';
import { createBruteForce } from './brute-force.js';
import {
  DEFAULT_OPERATORS_CONFIG,
  MFA_ROLES,
  type OperatorStatus,
  type OperatorsConfig,
  type OperatorView,
  ROLE_RANK,
  type SessionInfo,
  type TokenView,
} from './operator-types.js';
import { createOperatorsStore, type OperatorRow, type TokenRow } from './operators-store.js';
import {
  dummyHash,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
} from './password.js';
import {
  newApiToken,
  newEnrolmentCode,
  newRecoveryCode,
  normaliseRecoveryCode,
  randomSecret,
  sha256Hex,
} from './secrets.js';
import { newTotpSecret, totpUri, verifyTotp } from './totp.js';

export const RECOVERY_CODE_COUNT = 10;
const NAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export interface OperatorsDeps {
  db: Kysely<Database>;
  vault: Pick<Vault, 'encrypt' | 'decrypt'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  /** Report failed logins and lockouts to the monitor (MonitorHandle.raise). */
  raise?: (event: Omit<SystemEvent, 'type' | 'at'>) => void;
  config?: Partial<OperatorsConfig>;
}

export interface LoginInput {
  name: string;
  password: string;
  /** A TOTP code, or … */
  code?: string | undefined;
  /** … one unused recovery code. */
  recoveryCode?: string | undefined;
  ip: string;
}

export interface NewSession {
  /** Goes into the HttpOnly cookie; only its SHA-256 is stored. */
  id: string;
  /** Double-submit CSRF token (a readable cookie and a header); only its SHA-256 is stored. */
  csrf: string;
  expiresAt: number;
  operator: OperatorView;
}

export type Operators = ReturnType<typeof createOperators>;

const view = (r: OperatorRow): OperatorView => ({
  id: r.id,
  name: r.name,
  role: r.role as Role,
  status: r.status as OperatorStatus,
  mfaEnrolled: r.mfa_enrolled_at !== null,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

const tokenView = (r: TokenRow): TokenView => ({
  id: r.id,
  name: r.name,
  role: r.role as Role,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  lastUsedAt: r.last_used_at,
});

const identity = (row: Pick<OperatorRow, 'id' | 'name'>) => ({
  id: `operator:${row.id}`,
  version: 1,
  exchange: 'admin',
  label: row.name,
});

const actorOf = (r: OperatorRow): Actor => ({
  kind: 'operator',
  id: r.id,
  name: r.name,
  role: r.role as Role,
});

export function createOperators(deps: OperatorsDeps) {
  const config: OperatorsConfig = { ...DEFAULT_OPERATORS_CONFIG, ...deps.config };
  const store = createOperatorsStore(deps.db);
  const brute = createBruteForce(store, config);
  const now = () => deps.clock.now();

  const record = (by: Actor, action: string, detail: Record<string, unknown>, message?: string) =>
    deps.audit.append({
      kind: 'admin',
      actor: describeActor(by),
      action,
      detail,
      ...(message ? { message } : {}),
    });

  async function find(ref: string): Promise<OperatorRow> {
    const row = (await store.operatorById(ref)) ?? (await store.operatorByName(ref));
    if (!row) throw new KeywardenError('not_found', `no operator ${ref}`);
    return row;
  }

  /** The row an enrolment code belongs to; one answer for every wrong case. */
  async function enrolling(name: string, code: string, expected: OperatorStatus): Promise<OperatorRow> {
    const row = await store.operatorByName(name);
    if (
      !row ||
      row.status !== expected ||
      row.enrol_code_hash === null ||
      row.enrol_code_hash !== sha256Hex(code) ||
      (row.enrol_expires_at ?? 0) <= now()
    )
      throw new KeywardenError('enrolment_invalid');
    return row;
  }

  function totpSecretOf(row: OperatorRow): string {
    if (row.totp_envelope === null) throw new KeywardenError('mfa_required');
    return deps.vault.decrypt(identity(row), { envelope: row.totp_envelope }).toString('utf8');
  }

  /** Accept a TOTP code once: the matched step is claimed atomically, so a replay finds it taken. */
  async function acceptTotp(row: OperatorRow, code: string): Promise<boolean> {
    const step = verifyTotp(totpSecretOf(row), code, now(), row.totp_last_step);
    if (step === undefined) return false;
    return store.claimTotpStep(row.id, row.totp_last_step, step);
  }

  function checkRoleGrant(by: Actor, role: Role): void {
    // Only an owner makes or promotes to owner/admin; nobody grants above their own role.
    if (
      ROLE_RANK[role] > ROLE_RANK[by.role] ||
      (role !== 'operator' && role !== 'auditor' && by.role !== 'owner')
    )
      throw new KeywardenError('role_forbidden', `${by.role} may not grant the role ${role}`);
  }

  function checkName(name: string): void {
    if (!NAME.test(name))
      throw new KeywardenError(
        'invalid_input',
        'operator name: 2-64 of a-z 0-9 . _ -, starting with a letter or digit',
      );
  }

  return {
    config,

    /** A new account and its one-time enrolment code. */
    async add(
      input: { name: string; role: Role },
      by: Actor,
    ): Promise<{ operator: OperatorView; enrolmentCode: string }> {
      checkName(input.name);
      checkRoleGrant(by, input.role);
      if (await store.operatorByName(input.name))
        throw new KeywardenError('duplicate', `operator ${input.name} exists`);
      const code = newEnrolmentCode();
      const at = now();
      const row: OperatorRow = {
        id: prefixedId('op'),
        name: input.name,
        role: input.role,
        status: 'pending',
        password_hash: null,
        totp_envelope: null,
        totp_last_step: null,
        mfa_enrolled_at: null,
        enrol_code_hash: sha256Hex(code),
        enrol_expires_at: at + config.enrolmentTtlMs,
        created_by: describeActor(by),
        created_at: at,
        updated_at: at,
      };
      await store.insertOperator(row);
      await record(by, 'operator.add', { operator: row.name, role: row.role });
      return { operator: view(row), enrolmentCode: code };
    },

    async enrolStart(input: {
      name: string;
      enrolmentCode: string;
      password: string;
    }): Promise<{ totpSecret: string; otpauthUri: string }> {
      const row = await enrolling(input.name, input.enrolmentCode, 'pending');
      if (input.password.length < PASSWORD_MIN_LENGTH || input.password.length > PASSWORD_MAX_LENGTH)
        throw new KeywardenError(
          'invalid_input',
          `password: ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters`,
        );
      const secret = newTotpSecret();
      const envelope = deps.vault.encrypt(identity(row), Buffer.from(secret, 'utf8')).envelope;
      await store.updateOperator(row.id, {
        status: 'enrolling',
        password_hash: await hashPassword(input.password),
        totp_envelope: envelope,
        totp_last_step: null,
        updated_at: now(),
      });
      return { totpSecret: secret, otpauthUri: totpUri(secret, row.name) };
    },

    async enrolFinish(input: {
      name: string;
      enrolmentCode: string;
      code: string;
    }): Promise<{ recoveryCodes: string[]; operator: OperatorView }> {
      const row = await enrolling(input.name, input.enrolmentCode, 'enrolling');
      if (!(await acceptTotp(row, input.code))) throw new KeywardenError('mfa_invalid');
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
      await store.replaceRecoveryCodes(
        row.id,
        codes.map((c) => sha256Hex(normaliseRecoveryCode(c))),
      );
      const at = now();
      await store.updateOperator(row.id, {
        status: 'active',
        mfa_enrolled_at: at,
        enrol_code_hash: null,
        enrol_expires_at: null,
        updated_at: at,
      });
      const done = { ...row, status: 'active', mfa_enrolled_at: at };
      await record(actorOf(done), 'operator.enrol', { operator: row.name });
      return { recoveryCodes: codes, operator: view(done) };
    },

    /**
     * Password and a second factor; a new session every time (never one the client named).
     * Every refusal is the same `login_failed` (or `login_blocked` while backing off), so the
     * answer does not tell which part was wrong or whether the account exists.
     */
    async login(input: LoginInput): Promise<NewSession> {
      const at = now();
      if (await brute.blocked(input.name, input.ip, at)) throw new KeywardenError('login_blocked');
      const row = await store.operatorByName(input.name);
      const passwordOk = await verifyPassword(row?.password_hash ?? (await dummyHash()), input.password);
      let ok = passwordOk && row !== undefined && row.status === 'active';
      if (ok && row) {
        if (input.code !== undefined) ok = await acceptTotp(row, input.code);
        else if (input.recoveryCode !== undefined)
          ok = await store.useRecoveryCode(row.id, sha256Hex(normaliseRecoveryCode(input.recoveryCode)), at);
        else ok = false;
      }
      if (!ok || !row) {
        const outcome = await brute.failed(input.name, input.ip, at);
        const locked = outcome.lockedNow.length > 0;
        deps.raise?.({
          kind: 'admin_login_failed',
          message: locked
            ? `admin login locked out (${outcome.lockedNow.join(', ')}) after repeated failures from ${input.ip}`
            : `failed admin login for ${JSON.stringify(input.name)} from ${input.ip} (${outcome.count.account} in a row)`,
          detail: {
            operator: input.name,
            sourceIp: input.ip,
            failures: outcome.count.account,
            lockedOut: locked,
          },
        });
        await deps.audit.append({
          kind: 'admin',
          actor: `login:${input.name}`,
          action: 'auth.login',
          decision: 'deny',
          sourceIp: input.ip,
          detail: { lockedOut: locked },
        });
        throw new KeywardenError('login_failed');
      }
      await brute.succeeded(input.name);
      const id = randomSecret();
      const csrf = randomSecret();
      const expiresAt = at + config.sessionAbsoluteMs;
      await store.insertSession({
        id_hash: sha256Hex(id),
        operator_id: row.id,
        csrf_hash: sha256Hex(csrf),
        created_at: at,
        last_seen_at: at,
        expires_at: expiresAt,
        source_ip: input.ip,
      });
      await deps.audit.append({
        kind: 'admin',
        actor: describeActor(actorOf(row)),
        action: 'auth.login',
        decision: 'allow',
        sourceIp: input.ip,
        ...(input.recoveryCode !== undefined ? { detail: { recoveryCode: true } } : {}),
      });
      return { id, csrf, expiresAt, operator: view(row) };
    },

    /** The live session of a cookie value (idle and absolute limits applied), or undefined. */
    async session(id: string): Promise<SessionInfo | undefined> {
      const hash = sha256Hex(id);
      const s = await store.session(hash);
      if (!s) return undefined;
      const at = now();
      if (at >= s.expires_at || at - s.last_seen_at >= config.sessionIdleMs) {
        await store.deleteSession(hash);
        return undefined;
      }
      const row = await store.operatorById(s.operator_id);
      if (row?.status !== 'active') return undefined;
      await store.touchSession(hash, at);
      return { actor: actorOf(row), csrfHash: s.csrf_hash, expiresAt: s.expires_at };
    },

    async logout(id: string, by: Actor): Promise<void> {
      await store.deleteSession(sha256Hex(id));
      await record(by, 'auth.logout', {});
    },

    /** Drop a session without an audit record (a cookie presented at login is replaced). */
    async discardSession(id: string): Promise<void> {
      await store.deleteSession(sha256Hex(id));
    },

    /** A fresh TOTP code for a sensitive operation: operators only, each code good once. */
    async requireFreshMfa(actor: Actor, code: string | undefined): Promise<void> {
      if (actor.kind === 'local') return;
      if (actor.kind !== 'operator')
        throw new KeywardenError(
          'mfa_required',
          'this operation needs an operator with a fresh TOTP code; API tokens cannot perform it',
        );
      if (code === undefined) throw new KeywardenError('mfa_required');
      const row = await store.operatorById(actor.id);
      if (row?.status !== 'active' || !(await acceptTotp(row, code))) throw new KeywardenError('mfa_invalid');
    },

    async list(): Promise<OperatorView[]> {
      return (await store.operators()).map(view);
    },

    async get(ref: string): Promise<OperatorView> {
      return view(await find(ref));
    },

    async setRole(ref: string, role: Role, by: Actor): Promise<OperatorView> {
      const row = await find(ref);
      checkRoleGrant(by, role);
      if (by.kind !== 'local' && row.id === by.id)
        throw new KeywardenError('role_forbidden', 'an operator cannot change their own role');
      await store.updateOperator(row.id, { role, updated_at: now() });
      await store.deleteSessionsOf(row.id);
      await record(by, 'operator.role', { operator: row.name, from: row.role, to: role });
      return view({ ...row, role });
    },

    async disable(ref: string, by: Actor): Promise<OperatorView> {
      const row = await find(ref);
      if (by.kind !== 'local' && row.id === by.id)
        throw new KeywardenError('role_forbidden', 'an operator cannot disable themselves');
      await store.updateOperator(row.id, { status: 'disabled', updated_at: now() });
      await store.deleteSessionsOf(row.id);
      await record(by, 'operator.disable', { operator: row.name });
      return view({ ...row, status: 'disabled' });
    },

    /** Active owners and admins without MFA (the posture check `admin.mfa`). */
    async mfaGaps(): Promise<OperatorView[]> {
      return (await store.operators())
        .map(view)
        .filter((o) => o.status === 'active' && MFA_ROLES.includes(o.role) && !o.mfaEnrolled);
    },

    async createToken(
      input: { name: string; role: Role; ttlMs: number },
      by: Actor,
    ): Promise<{ token: string; view: TokenView }> {
      if (ROLE_RANK[input.role] > ROLE_RANK[by.role])
        throw new KeywardenError('role_forbidden', `${by.role} may not create a ${input.role} token`);
      if (!(input.ttlMs > 0 && input.ttlMs <= config.tokenMaxTtlMs))
        throw new KeywardenError('invalid_input', `token lifetime: 1 ms to ${config.tokenMaxTtlMs} ms`);
      const token = newApiToken();
      const at = now();
      const row: TokenRow = {
        id: prefixedId('tok'),
        name: input.name,
        role: input.role,
        token_hash: sha256Hex(token),
        created_by: describeActor(by),
        created_at: at,
        expires_at: at + input.ttlMs,
        revoked_at: null,
        last_used_at: null,
      };
      await store.insertToken(row);
      await record(by, 'token.create', {
        token: row.id,
        name: row.name,
        role: row.role,
        expiresAt: row.expires_at,
      });
      return { token, view: tokenView(row) };
    },

    async listTokens(): Promise<TokenView[]> {
      return (await store.tokens()).map(tokenView);
    },

    async revokeToken(id: string, by: Actor): Promise<TokenView> {
      const row = (await store.tokens()).find((t) => t.id === id);
      if (!row) throw new KeywardenError('not_found', `no token ${id}`);
      const at = now();
      await store.updateToken(id, { revoked_at: at });
      await record(by, 'token.revoke', { token: id, name: row.name });
      return tokenView({ ...row, revoked_at: at });
    },

    /** The Actor of a presented bearer token, or undefined (unknown, revoked, expired). */
    async tokenActor(token: string): Promise<Actor | undefined> {
      if (!token.startsWith('kwt_')) return undefined;
      const row = await store.tokenByHash(sha256Hex(token));
      const at = now();
      if (!row || row.revoked_at !== null || at >= row.expires_at) return undefined;
      await store.updateToken(row.id, { last_used_at: at });
      return { kind: 'token', id: row.id, name: row.name, role: row.role as Role };
    },
  };
}
