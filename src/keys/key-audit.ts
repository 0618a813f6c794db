import type { AuditLog } from '../audit/index.js';

/**
 * The audit record of something done to a key (verified, rotated, its old version destroyed):
 * one shape, naming the key by id, exchange and label, so every key change reads alike.
 */
export function appendKeyAudit(
  deps: { audit?: Pick<AuditLog, 'append'> | undefined; actor?: string | undefined },
  action: string,
  key: { id: string; exchange: string; label: string },
  detail: Record<string, unknown>,
): Promise<unknown> {
  return (
    deps.audit?.append({
      kind: 'admin',
      actor: deps.actor ?? 'cli',
      action,
      keyId: key.id,
      exchange: key.exchange,
      detail: { label: key.label, ...detail },
    }) ?? Promise.resolve()
  );
}
