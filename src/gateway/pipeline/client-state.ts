/** Stage: the client is active (not revoked, frozen or expired) and its credential still live. */
import { fail, ok, type Result } from '../../core/index.js';
import { advance } from './advance.js';
import type { PipelineEnv } from './env.js';
import type { Admissible, Authenticated, Denial } from './types.js';

/**
 * Synchronous: the key label (`keyLabelOf`, a cached store read) is looked up before it only when
 * a monitor is wired, so an unmonitored request costs no await here.
 */
export function clientState(
  env: Pick<PipelineEnv, 'clock'>,
  a: Authenticated,
  keyLabel: string | undefined,
): Result<Admissible, Denial> {
  if (a.caller.kind === 'anonymous') return ok(a);
  const { client, credential } = a.caller.hit;
  const r = client.record;
  const now = env.clock.now();
  if (r.status === 'revoked') return fail({ code: 'client_revoked', message: `client ${r.name} is revoked` });
  if (r.status === 'frozen') return fail({ code: 'client_frozen', message: `client ${r.name} is frozen` });
  if (r.expiresAt !== undefined && r.expiresAt <= now)
    return fail({ code: 'client_expired', message: `client ${r.name} expired` });
  if (credential.notAfter !== undefined && credential.notAfter <= now)
    return fail({
      code: 'client_revoked',
      message: 'this credential was re-rolled and its grace period is over',
    });
  return ok(keyLabel === undefined ? a : advance(a, { keyLabel }));
}

/** The label of the client's exchange key, named in alerts about it (cached; the policy stage reads the key record anyway). */
export async function keyLabelOf(
  env: Pick<PipelineEnv, 'keys'>,
  a: Authenticated,
): Promise<string | undefined> {
  if (a.caller.kind === 'anonymous') return undefined;
  return (await env.keys.record(a.caller.hit.client.record.keyId).catch(() => undefined))?.label;
}
