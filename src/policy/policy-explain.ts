/**
 * What a policy decides about one raw exchange request, without sending it: parse and classify
 * it through the exchange's adapter, then evaluate. `keywarden policy explain` and the admin API's
 * `POST /policies/explain` both answer this.
 */
import { KeywardenError } from '../core/index.js';
import type { Classification, ExchangeAdapter, ExchangeRequest } from '../exchanges/index.js';
import { DEFAULT_SLIPPAGE_PERCENT } from './notional.js';
import { evaluate } from './policy-eval.js';
import type { Decision, Policy, PolicyContext } from './policy-types.js';

export interface ExplainInput {
  method: string;
  path: string;
  query?: string;
  body?: string;
  clientEnvironment: string;
  keyEnvironment: string;
  prices: Record<string, number>;
  slippagePercent?: number;
  now: number;
}

export interface Explanation {
  classification: Classification;
  decision: Decision;
  /** The gateway would hold this withdrawal for a second person, then send it once. */
  heldForApproval?: true;
}

export function explainRequest(
  policy: Policy,
  adapter: Pick<ExchangeAdapter, 'parse' | 'classify'>,
  input: ExplainInput,
): Explanation {
  const body = input.body ?? '';
  const trimmed = body.trimStart();
  const headers: Record<string, string> = {};
  if (body !== '')
    headers['content-type'] =
      trimmed.startsWith('{') || trimmed.startsWith('[')
        ? 'application/json'
        : 'application/x-www-form-urlencoded';
  const raw: ExchangeRequest = {
    method: input.method.toUpperCase(),
    path: input.path,
    query: (input.query ?? '').replace(/^\?/, ''),
    headers,
    body,
  };
  const parsed = adapter.parse(raw);
  if (!parsed.ok) throw new KeywardenError('invalid_input', `request rejected: ${parsed.message}`);
  const classification = adapter.classify(parsed.request);
  const ctx: PolicyContext = {
    now: input.now,
    clientEnvironment: input.clientEnvironment,
    keyEnvironment: input.keyEnvironment,
    prices: input.prices,
    slippagePercent: input.slippagePercent ?? DEFAULT_SLIPPAGE_PERCENT,
    usage: { dailyNotional: 0, ordersLastMinute: 0, withdrawnToday: {} },
  };
  const decision = evaluate(policy, classification, ctx);
  // The gateway holds such a withdrawal for a second person instead of sending it (src/gateway/pipeline/hold.ts).
  const held =
    decision.allowed && classification.action === 'withdraw' && policy.withdrawals?.approval === true;
  return { classification, decision, ...(held ? { heldForApproval: true as const } : {}) };
}
