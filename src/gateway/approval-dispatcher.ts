/**
 * Sends approved withdrawals, each exactly once. For every approved `withdrawal` approval it
 * claims the row (approved → executing in one write transaction: of any number of gateways on
 * one store, one wins), signs the held request afresh with the real credential (a new
 * timestamp, nonce and signature: the held request carries none of the client's), sends it to
 * the configured upstream, and records the exchange's answer as the approval's result (executed
 * on 2xx, failed otherwise) and in the audit log. A failed or unanswered send is never retried:
 * whether it executed is for a person to check.
 */
import type { ApprovalsService } from '../approvals/index.js';
import type { AuditLog } from '../audit/index.js';
import { type Clock, type ExchangeId, KeywardenError, type WireRequest } from '../core/index.js';
import type { ExchangeAdapter, NonceSource } from '../exchanges/index.js';
import type { KeyRegistry } from '../keys/index.js';
import { parseHeldWithdrawal } from './pipeline/index.js';
import type { Upstream } from './upstream.js';

export interface DispatcherDeps {
  approvals: Pick<ApprovalsService, 'list' | 'claim' | 'finish'>;
  keys: Pick<KeyRegistry, 'get' | 'credential'>;
  adapters: Partial<Record<ExchangeId, ExchangeAdapter>>;
  upstreams: Partial<Record<ExchangeId, Upstream>>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  nonceFor(keyId: string): NonceSource;
  /** A sealed vault cannot sign: nothing is claimed until it is unsealed. */
  isSealed(): boolean;
  onError(context: string, err: unknown): void;
}

export interface DispatchResult {
  approvalId: string;
  status: 'executed' | 'failed';
  upstreamStatus?: number;
}

export interface ApprovalDispatcher {
  /** Claim and send every approved withdrawal now; answers what this call sent. */
  runOnce(): Promise<DispatchResult[]>;
  /** Run every `intervalMs` until `stop()` (runs never overlap). */
  start(intervalMs: number): void;
  stop(): void;
}

/** The exchange's answer kept in the approval and the audit record (a withdrawal id, an error). */
const ANSWER_CHARS = 2_000;
const ACTOR = 'keywarden:dispatcher';

export function createApprovalDispatcher(deps: DispatcherDeps): ApprovalDispatcher {
  let timer: NodeJS.Timeout | undefined;

  async function send(approvalId: string, payload: unknown): Promise<DispatchResult> {
    const held = parseHeldWithdrawal(payload);
    const adapter = deps.adapters[held.exchange];
    const upstream = deps.upstreams[held.exchange];
    if (!adapter || !upstream)
      throw new KeywardenError('invalid_input', `${held.exchange} is not enabled on this gateway`);
    const key = await deps.keys.get(held.keyId);
    if (key?.status !== 'active')
      throw new KeywardenError('auth_unknown_key', 'the exchange key of this withdrawal is not active');
    const request: WireRequest = held.request;
    const outgoing = adapter.sign(request, await deps.keys.credential(key.id, key.version), {
      clock: deps.clock,
      nonce: deps.nonceFor(key.id),
      baseUrl: upstream.baseUrl,
    });
    if (outgoing.path !== request.path || outgoing.method !== request.method)
      throw new KeywardenError('internal', 'adapter changed the request target while signing');
    const answer = await upstream.stream(outgoing);
    let body = '';
    for await (const chunk of answer.body) {
      if (body.length < ANSWER_CHARS) body += String(chunk);
    }
    const status = answer.status >= 200 && answer.status < 300 ? 'executed' : 'failed';
    await deps.approvals.finish(
      approvalId,
      status,
      { upstreamStatus: answer.status, answer: body.slice(0, ANSWER_CHARS) },
      ACTOR,
    );
    await deps.audit.append({
      kind: 'outcome',
      requestId: held.requestId,
      actor: ACTOR,
      exchange: held.exchange,
      action: 'withdraw',
      endpoint: held.endpoint,
      upstreamStatus: answer.status,
      message: `approved withdrawal ${approvalId} sent: ${status}`,
      detail: { approvalId },
    });
    return { approvalId, status, upstreamStatus: answer.status };
  }

  async function run(): Promise<DispatchResult[]> {
    const out: DispatchResult[] = [];
    if (deps.isSealed()) return out;
    for (const a of await deps.approvals.list({ status: 'approved', kind: 'withdrawal' })) {
      const claimed = await deps.approvals.claim(a.id);
      if (!claimed) continue;
      try {
        out.push(await send(claimed.id, claimed.payload));
      } catch (err) {
        deps.onError(`approval ${claimed.id}`, err);
        const message = err instanceof KeywardenError ? err.message : 'the withdrawal could not be sent';
        await deps.approvals
          .finish(claimed.id, 'failed', { error: message }, ACTOR)
          .catch((e: unknown) => deps.onError(`approval ${claimed.id}`, e));
        out.push({ approvalId: claimed.id, status: 'failed' });
      }
    }
    return out;
  }

  // Runs in this process queue behind each other; other processes are kept off by the claim.
  let chain: Promise<unknown> = Promise.resolve();
  const runOnce = (): Promise<DispatchResult[]> => {
    const next = chain.then(run);
    chain = next.catch(() => undefined);
    return next;
  };

  return {
    runOnce,
    start(intervalMs) {
      if (timer) return;
      timer = setInterval(() => {
        runOnce().catch((err: unknown) => deps.onError('approval dispatcher', err));
      }, intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
