/**
 * A policy's dry run over recorded requests: what it would have denied of the last N requests
 * the gateway audited. The audit record of a request keeps its action, endpoint, first symbol
 * and side, its notional once priced, and HMACs of its withdrawal address; the policy is
 * evaluated on those facts, replayed in order so the daily-notional and per-minute caps see the
 * usage the new policy would have let through.
 *
 * What a record does not keep cannot be judged, and the answer says so instead of guessing:
 * order sizes, prices and every order of a batch but the first (so `priceBand`, `maxLeverage`,
 * `unpriced` and the notional caps of unpriced orders), and withdrawal amounts
 * (`withdrawals.dailyCap`). A withdrawal address is matched by HMAC against the policy's list.
 */
import { ACTIONS, type Action } from '../core/index.js';
import type { Classification, OrderIntent } from '../exchanges/index.js';
import { evaluate, isOrderAction } from './policy-eval.js';
import type { Policy, PolicyRule } from './policy-types.js';

/** The audit fields a dry run reads (src/audit AuditRecord). */
export interface RecordedRequest {
  seq: number;
  at: number;
  kind: string;
  actor?: string;
  clientId?: string;
  keyId?: string;
  action?: string;
  endpoint?: string;
  symbol?: string;
  side?: string;
  notional?: number;
  decision?: string;
  rule?: string;
  hmacs?: Record<string, string>;
}

export interface DryRunContext {
  /** A client's environment tag by id (default: the key's). */
  clientEnvironment(clientId: string | undefined): string | undefined;
  keyEnvironment(keyId: string | undefined): string | undefined;
  /** The audit log's HMAC of a value, to match a withdrawal address. */
  hmac(value: string): string;
}

export interface DryRunDenial {
  seq: number;
  at: number;
  client?: string;
  action: string;
  endpoint?: string;
  symbol?: string;
  /** What the gateway decided then. */
  recorded?: string;
  rule: PolicyRule;
  message: string;
}

export interface DryRunResult {
  /** Request records read. */
  records: number;
  /** Of them, judged by the policy. */
  evaluated: number;
  wouldDeny: DryRunDenial[];
  /** Records the policy's rules could not be judged on, with why. */
  undetermined: Array<{ seq: number; rule: PolicyRule; reason: string }>;
  /** Records never judged by a policy (refused before it: authentication, IP, schema) and skipped. */
  skipped: number;
  /** The rules this dry run cannot evaluate from audit records, and why. */
  notEvaluated: string[];
}

/** A denial by one of these rules rests on a fact the audit record does not keep. */
const UNRECORDED: Partial<Record<PolicyRule, string>> = {
  unpriced: 'the record keeps no order size or price',
  priceBand: 'the record keeps no order price',
  maxLeverage: 'the record keeps no leverage',
  'withdrawals.dailyCap': 'the record keeps no withdrawal amount',
  orders: 'the record keeps only the first order of a request',
};

const KNOWN_ACTIONS: ReadonlySet<string> = new Set(ACTIONS);

const DAY_MS = 86_400_000;

function notEvaluated(policy: Policy): string[] {
  const out: string[] = [];
  if (policy.priceBandPercent !== undefined) out.push('priceBand: the audit record keeps no order price');
  if (policy.maxLeverage !== undefined) out.push('maxLeverage: the audit record keeps no leverage');
  if (policy.withdrawals?.dailyCap) out.push('withdrawals.dailyCap: the audit record keeps no amount');
  out.push('batch requests: only the first order (symbol, side) is recorded');
  return out;
}

export function dryRunPolicy(
  policy: Policy,
  records: readonly RecordedRequest[],
  ctx: DryRunContext,
): DryRunResult {
  const out: DryRunResult = {
    records: 0,
    evaluated: 0,
    wouldDeny: [],
    undetermined: [],
    skipped: 0,
    notEvaluated: notEvaluated(policy),
  };
  // Usage as the new policy would have let it through, per client.
  const daily = new Map<string, { day: number; notional: number }>();
  const minute = new Map<string, number[]>();
  const sorted = [...records].filter((r) => r.kind === 'request').sort((a, b) => a.seq - b.seq);
  for (const r of sorted) {
    out.records++;
    if (r.action === undefined || !KNOWN_ACTIONS.has(r.action) || r.rule === 'request_rejected') {
      out.skipped++;
      continue;
    }
    const action = r.action as Action;
    const order: OrderIntent = {};
    if (r.symbol !== undefined) order.symbol = r.symbol;
    if (r.side === 'buy' || r.side === 'sell') order.side = r.side;
    if (r.notional !== undefined) order.quoteQuantity = r.notional;
    const classification: Classification = {
      action,
      endpoint: r.endpoint ?? action,
      orders: isOrderAction(action) && (r.symbol !== undefined || r.side !== undefined) ? [order] : [],
    };
    if (action === 'withdraw') {
      const hmac = r.hmacs?.address;
      const address = hmac ? policy.withdrawals?.addresses.find((a) => ctx.hmac(a) === hmac) : undefined;
      classification.withdrawal = { address: address ?? '(an address not on this policy)' };
    }
    const who = r.clientId ?? r.actor ?? '';
    const day = Math.floor(r.at / DAY_MS);
    const used = daily.get(who);
    const todays = used && used.day === day ? used.notional : 0;
    const recent = (minute.get(who) ?? []).filter((t) => t > r.at - 60_000);
    const keyEnv = ctx.keyEnvironment(r.keyId) ?? 'prod';
    const decision = evaluate(policy, classification, {
      now: r.at,
      clientEnvironment: ctx.clientEnvironment(r.clientId) ?? keyEnv,
      keyEnvironment: keyEnv,
      prices: {},
      usage: { dailyNotional: todays, ordersLastMinute: recent.length, withdrawnToday: {} },
    });
    const denial = decision.allowed ? decision.wouldDeny : { rule: decision.rule, message: decision.message };
    const why = denial ? UNRECORDED[denial.rule] : undefined;
    if (denial && why) {
      out.undetermined.push({ seq: r.seq, rule: denial.rule, reason: why });
      continue;
    }
    out.evaluated++;
    if (denial) {
      out.wouldDeny.push({
        seq: r.seq,
        at: r.at,
        ...(r.actor !== undefined ? { client: r.actor } : {}),
        action,
        ...(r.endpoint !== undefined ? { endpoint: r.endpoint } : {}),
        ...(r.symbol !== undefined ? { symbol: r.symbol } : {}),
        ...(r.decision !== undefined ? { recorded: r.decision } : {}),
        rule: denial.rule,
        message: denial.message,
      });
      continue;
    }
    if (isOrderAction(action)) {
      daily.set(who, { day, notional: todays + (r.notional ?? 0) });
      minute.set(who, [...recent, r.at]);
    }
  }
  return out;
}
