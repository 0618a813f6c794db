import type { AuditLog } from '../audit/index.js';

/**
 * The audit record of something done to a key (verified, rotated, its old version destroyed):
 * one shape, so `audit query --action key.*` reads every key change alike.
 */
export function appendKeyAudit(
  deps: { audit?: Pick<AuditLog, 'append'> | undefined; actor?: string | undefined },
  action: string,
  key: { keyId: string; exchange: string },
  detail: Record<string, unknown>,
): Promise<unknown> {
  return (
    deps.audit?.append({
      kind: 'admin',
      actor: deps.actor ?? 'cli',
      action,
      keyId: key.keyId,
      exchange: key.exchange,
      detail,
    }) ?? Promise.resolve()
  );
}
