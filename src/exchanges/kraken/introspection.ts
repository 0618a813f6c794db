/** What a Kraken key may do, from POST /0/private/GetApiKeyInfo (the key itself is dropped). */
import type { Credential, Introspection, SignContext, Transport } from '../adapter.js';
import { sendIntrospection } from '../introspection.js';
import { parseJsonRecord, stringList } from '../json-fields.js';
import { upstreamRequest } from '../upstream-request.js';
import { signKraken } from './auth.js';

export async function introspectKraken(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<Introspection> {
  const request = signKraken(upstreamRequest('POST', '/0/private/GetApiKeyInfo'), credential, ctx);
  const sent = await sendIntrospection(send, request, 'kraken did not answer POST /0/private/GetApiKeyInfo');
  if (!sent.ok) return sent.result;
  const { response } = sent;
  const parsed = parseJsonRecord(response.body);
  const errors = Array.isArray(parsed?.error) ? parsed.error : [];
  const result = parsed?.result;
  if (response.status !== 200 || errors.length > 0 || typeof result !== 'object' || result === null) {
    return {
      available: false,
      reason: `kraken GetApiKeyInfo failed: ${String(errors[0] ?? response.status)}`,
    };
  }
  const raw = { ...(result as Record<string, unknown>) };
  delete raw.apiKey;
  const permissions = stringList(raw.permissions);
  const ipList = stringList(raw.ipAllowlist);
  const has = (re: RegExp) => permissions.some((p) => re.test(p));
  return {
    available: true,
    canRead: has(/^query-/),
    canTrade: has(/modify-trades|create-modify-orders|modify-orders/),
    canWithdraw: has(/^withdraw-funds$/),
    // AccountTransfer and WalletTransfer are under the Withdraw Funds permission.
    canTransfer: has(/^withdraw-funds$/),
    ipRestricted: ipList.length > 0,
    ipList,
    raw,
  };
}
