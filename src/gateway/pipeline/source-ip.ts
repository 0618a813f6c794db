/** Stage: a client with an IP allow-list is served only from an address in it. */
import { fail, ok, type Result } from '../../core/index.js';
import type { Admissible, Denial } from './types.js';

export function sourceIp(a: Admissible): Result<Admissible, Denial> {
  if (a.caller.kind === 'client' && !a.caller.hit.client.ipAllow.allows(a.sourceIp))
    return fail({
      code: 'ip_not_allowed',
      message: `source IP ${a.sourceIp} is not in the client's allow-list`,
    });
  return ok(a);
}
