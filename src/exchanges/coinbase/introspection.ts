/** What a Coinbase key may do, from GET /api/v3/brokerage/key_permissions. */
import type { Credential, Introspection, SignContext, Transport } from '../adapter.js';
import { sendIntrospection } from '../introspection.js';
import { parseJson } from '../json-fields.js';
import { isRecord } from '../strict-json.js';
import { getRequest } from '../upstream-request.js';
import { signCoinbase } from './auth.js';
import { V3 } from './classify.js';

export async function introspect(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<Introspection> {
  const request = signCoinbase(getRequest(`${V3}/key_permissions`), credential, ctx);
  const sent = await sendIntrospection(send, request, 'coinbase key_permissions request failed');
  if (!sent.ok) return sent.result;
  const { response } = sent;
  if (response.status !== 200) {
    return { available: false, reason: `coinbase key_permissions answered HTTP ${response.status}` };
  }
  const raw = parseJson(response.body);
  if (raw === undefined) return { available: false, reason: 'coinbase key_permissions answer is not JSON' };
  if (!isRecord(raw)) return { available: false, reason: 'coinbase key_permissions answer is not an object' };
  const canTransfer = raw.can_transfer === true;
  return {
    available: true,
    canRead: raw.can_view === true,
    canTrade: raw.can_trade === true,
    canWithdraw: canTransfer,
    canTransfer,
    // Coinbase has no endpoint that reports a key's IP allow-list (it is set in the CDP portal).
    ipRestricted: false,
    raw: { ...raw, ip_allowlist: 'not reported by Coinbase (set in the CDP portal)' },
  };
}
