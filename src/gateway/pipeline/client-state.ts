/** Stage: the client is active (not revoked, frozen or expired) and its credential still live. */
import { fail, ok, type Result } from '../../core/index.js';
import type { PipelineEnv } from './env.js';
import type { Admissible, Authenticated, Denial } from './types.js';

export async function clientState(
  env: Pick<PipelineEnv, 'keys' | 'monitored' | 'clock'>,
  a: Authenticated,
): Promise<Result<Admissible, Denial>> {
  if (a.caller.kind === 'anonymous') return ok(a);
  const { client, credential } = a.caller.hit;
  const r = client.record;
  // Named in alerts about this client (cached; the policy stage reads the key record anyway).
  const keyLabel = env.monitored ? (await env.keys.record(r.keyId).catch(() => undefined))?.label : undefined;
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
  return ok(keyLabel === undefined ? a : { ...a, keyLabel });
}
