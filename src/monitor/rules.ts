import { type AlertDraft, clip } from './alert-draft.js';
import type { RulesConfig } from './monitor-config.js';
import type { MonitorEvent, RequestEvent, SystemEvent } from './monitor-types.js';
import type { RuleId } from './rule-ids.js';

/**
 * Fixed alert rules: one event in, zero or more alert drafts out. State is limited to the
 * sliding windows of failed authentications, bounded in size so a flood of source IPs
 * cannot grow memory without limit.
 */
export interface RuleEngine {
  evaluate(event: MonitorEvent): AlertDraft[];
}

/** Distinct source IPs whose failure windows are remembered; the least recently failing are forgotten first. */
const MAX_TRACKED_IPS = 10_000;

/** System events the gateway emits per request while a condition lasts: raised once per `repeatSeconds`. */
const REPEATING = new Set<SystemEvent['kind']>([
  'gateway_sealed',
  'audit_write_failed',
  'store_unavailable',
  'redis_unavailable',
]);

export function createRuleEngine(config: RulesConfig): RuleEngine {
  const perIp = new Map<string, SlidingCount>();
  const overall = new SlidingCount(config.authFailuresOverall.count);
  const lastRaised = new Map<SystemEvent['kind'], number>();

  /** A sealed vault or a dead audit disk affects every request: one alert per window, not one per request. */
  function quiet(event: SystemEvent): boolean {
    if (!REPEATING.has(event.kind)) return false;
    const last = lastRaised.get(event.kind);
    if (last !== undefined && event.at >= last && event.at - last < config.repeatSeconds * 1000) return true;
    lastRaised.set(event.kind, event.at);
    return false;
  }

  function authBurst(event: RequestEvent): AlertDraft[] {
    const out: AlertDraft[] = [];
    const ipWindowMs = config.authFailuresPerIp.windowSeconds * 1000;
    let window = perIp.get(event.sourceIp);
    if (window) perIp.delete(event.sourceIp);
    else window = new SlidingCount(config.authFailuresPerIp.count);
    perIp.set(event.sourceIp, window);
    if (perIp.size > MAX_TRACKED_IPS) {
      const oldest = perIp.keys().next();
      if (!oldest.done) perIp.delete(oldest.value);
    }
    const ip = clip(event.sourceIp, 64);
    if (window.hit(event.at, ipWindowMs)) {
      const { count, windowSeconds } = config.authFailuresPerIp;
      out.push({
        rule: 'auth.failure_burst_ip',
        title: `Burst of failed client authentications from ${ip}`,
        message: `${window.size()} failed authentications from ${ip} in ${windowSeconds}s (threshold ${count} in ${windowSeconds}s); last code ${clip(event.code ?? 'auth', 40)}`,
        dedupKey: `auth.failure_burst_ip:${ip}`,
        detail: { sourceIp: ip, exchange: event.exchange },
      });
    }
    const { count, windowSeconds } = config.authFailuresOverall;
    if (overall.hit(event.at, windowSeconds * 1000)) {
      out.push({
        rule: 'auth.failure_burst',
        title: 'Burst of failed client authentications',
        message: `${overall.size()} failed authentications across all sources in ${windowSeconds}s (threshold ${count} in ${windowSeconds}s)`,
        dedupKey: 'auth.failure_burst',
      });
    }
    return out;
  }

  function request(event: RequestEvent): AlertDraft[] {
    const out: AlertDraft[] = [];
    const who = event.client ? clip(event.client, 64) : 'unknown client';
    const where = `${clip(event.exchange, 20)} ${clip(event.endpoint)}`;
    const base = { client: event.client, keyLabel: event.keyLabel };
    const code = event.code ?? '';

    if (code.startsWith('auth_')) return authBurst(event);

    if (event.action === 'withdraw' || event.action === 'transfer') {
      const denied = event.decision === 'deny';
      const rule: RuleId =
        event.action === 'withdraw'
          ? denied
            ? 'request.withdrawal_denied'
            : 'request.withdrawal'
          : denied
            ? 'request.transfer_denied'
            : 'request.transfer';
      const outcome =
        event.decision === 'allow'
          ? 'allowed'
          : event.decision === 'would-deny'
            ? 'allowed (monitor mode would deny)'
            : `denied (${clip(code || 'policy', 40)})`;
      out.push({
        ...base,
        rule,
        title: `${event.action === 'withdraw' ? 'Withdrawal' : 'Transfer'} attempt by ${who}`,
        message: `${event.action} request ${where} from ${clip(event.sourceIp, 64)} was ${outcome}; trading clients are not expected to move funds`,
        dedupKey: `${rule}:${event.client ?? '-'}`,
        detail: { exchange: event.exchange, endpoint: clip(event.endpoint), decision: event.decision },
      });
      return out;
    }

    if (code === 'ip_not_allowed') {
      const ip = clip(event.sourceIp, 64);
      out.push({
        ...base,
        rule: 'request.ip_not_allowed',
        title: `Request from an IP outside ${who}'s allow-list`,
        message: `${who} called ${where} from ${ip}, which is not in its IP allow-list (expected only allow-listed addresses)`,
        dedupKey: `request.ip_not_allowed:${event.client ?? '-'}:${ip}`,
        detail: { sourceIp: ip, exchange: event.exchange },
      });
      return out;
    }

    if (event.decision === 'deny') {
      const reason = event.message ? `: ${clip(event.message)}` : '';
      out.push({
        ...base,
        rule: 'request.denied',
        title: `Request denied for ${who}`,
        message: `${event.action} request ${where} denied by ${clip(code || 'policy', 40)}${reason}`,
        dedupKey: `request.denied:${event.client ?? '-'}:${clip(code, 40)}`,
        detail: { exchange: event.exchange, endpoint: clip(event.endpoint), code: clip(code, 40) },
      });
    } else if (event.decision === 'would-deny') {
      const reason = event.message ? `: ${clip(event.message)}` : '';
      out.push({
        ...base,
        rule: 'request.would_deny',
        title: `Request ${who} would be denied (monitor mode)`,
        message: `${event.action} request ${where} let through in monitor mode; enforce mode would deny it by ${clip(code || 'policy', 40)}${reason}`,
        dedupKey: `request.would_deny:${event.client ?? '-'}:${clip(code, 40)}`,
      });
    }
    return out;
  }

  return {
    evaluate(event) {
      if (event.type === 'request') return request(event);
      return quiet(event) ? [] : system(event);
    },
  };
}

const SYSTEM_RULES: Record<SystemEvent['kind'], { rule: RuleId; title: string }> = {
  client_frozen: { rule: 'client.frozen', title: 'Client frozen' },
  client_revoked: { rule: 'client.revoked', title: 'Client credential revoked' },
  client_changed: { rule: 'client.changed', title: 'Client settings changed' },
  key_frozen: { rule: 'key.frozen', title: 'Exchange key frozen' },
  key_retired: { rule: 'key.retired', title: 'Exchange key retired' },
  key_rotation_due: { rule: 'key.rotation_due', title: 'Exchange key due for rotation' },
  key_rotation_overdue: { rule: 'key.rotation_overdue', title: 'Exchange key overdue for rotation' },
  key_over_permissive: { rule: 'key.over_permissive', title: 'Exchange key is over-permissive' },
  leaked_key_found: { rule: 'key.leaked', title: 'Leaked key found' },
  gateway_sealed: { rule: 'gateway.sealed', title: 'Gateway sealed' },
  lockdown: { rule: 'gateway.lockdown', title: 'Lockdown engaged' },
  audit_write_failed: { rule: 'audit.write_failed', title: 'Audit write failed' },
  store_unavailable: { rule: 'store.unavailable', title: 'Store unavailable' },
  redis_unavailable: { rule: 'redis.unavailable', title: 'Shared limits store (Redis) unavailable' },
  admin_login_failed: { rule: 'admin.login_failed', title: 'Failed admin login' },
  approval_pending: { rule: 'approval.pending', title: 'Waiting for approval' },
  exchange_rate_limited: {
    rule: 'exchange.rate_limited',
    title: 'Exchange refused for rate: traffic stopped',
  },
  exchange_ip_banned: { rule: 'exchange.ip_banned', title: 'Exchange banned the egress IP: traffic stopped' },
};

function system(event: SystemEvent): AlertDraft[] {
  const { rule, title } = SYSTEM_RULES[event.kind];
  const subject = event.keyLabel
    ? ` ${clip(event.keyLabel, 64)}`
    : event.client
      ? ` ${clip(event.client, 64)}`
      : '';
  return [
    {
      rule,
      title: `${title}${subject ? ':' : ''}${subject}`,
      message: clip(event.message, 500),
      client: event.client,
      keyLabel: event.keyLabel,
      // Each approval is its own alert (it names the id to decide), never folded into another's.
      dedupKey: `${rule}:${event.client ?? '-'}:${event.keyLabel ?? '-'}${
        typeof event.detail?.approvalId === 'string' ? `:${event.detail.approvalId}` : ''
      }`,
      detail: event.detail,
    },
  ];
}

/**
 * For the lifecycle's rotation check: the event to emit for a key whose rotation deadline
 * is `deadline` (ms), or undefined when it is not yet within `dueDays` of it.
 */
export function rotationEvent(
  key: { label: string; deadline: number },
  now: number,
  dueDays = 14,
): SystemEvent | undefined {
  const dayMs = 86_400_000;
  const days = Math.floor(Math.abs(key.deadline - now) / dayMs);
  if (now >= key.deadline) {
    return {
      type: 'system',
      at: now,
      kind: 'key_rotation_overdue',
      keyLabel: key.label,
      message: `key ${key.label} should have been rotated by ${new Date(key.deadline).toISOString().slice(0, 10)} (${days} days overdue)`,
      detail: { deadline: key.deadline },
    };
  }
  if (key.deadline - now <= dueDays * dayMs) {
    return {
      type: 'system',
      at: now,
      kind: 'key_rotation_due',
      keyLabel: key.label,
      message: `key ${key.label} must be rotated by ${new Date(key.deadline).toISOString().slice(0, 10)} (in ${days} days; warning starts ${dueDays} days before)`,
      detail: { deadline: key.deadline },
    };
  }
  return undefined;
}

/**
 * Counts hits in a sliding time window and says when the count reaches the threshold,
 * once per burst: after firing it stays quiet until the window has emptied below it.
 * Keeps at most `threshold` timestamps.
 */
class SlidingCount {
  private readonly times: number[] = [];
  private fired = false;
  constructor(private readonly threshold: number) {}

  hit(at: number, windowMs: number): boolean {
    while (this.times.length > 0 && (this.times[0] ?? 0) <= at - windowMs) this.times.shift();
    if (this.times.length < this.threshold) this.fired = false;
    this.times.push(at);
    if (this.times.length > this.threshold) this.times.shift();
    if (this.times.length >= this.threshold && !this.fired) {
      this.fired = true;
      return true;
    }
    return false;
  }

  size(): number {
    return this.times.length;
  }
}
