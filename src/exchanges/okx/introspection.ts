/** What an OKX key may do, from GET /api/v5/account/config. */
import type { Credential, Introspection, SignContext, Transport } from '../adapter.js';
import { ipRestriction, refusedIntrospection } from '../introspection.js';
import { parseJson } from '../json-fields.js';
import { isRecord, textField } from '../strict-json.js';
import { signOkx } from './auth.js';

export async function introspectOkx(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<Introspection> {
  const request = signOkx(
    { method: 'GET', path: '/api/v5/account/config', query: '', headers: {}, body: '' },
    credential,
    ctx,
  );
  const response = await send(request);
  const parsed = parseJson(response.body);
  if (parsed === undefined) {
    return { available: false, reason: `okx answered HTTP ${response.status} without JSON` };
  }
  if (!isRecord(parsed) || parsed.code !== '0' || !Array.isArray(parsed.data) || !isRecord(parsed.data[0])) {
    return refusedIntrospection('okx', response.status, parsed, 'code', 'msg');
  }
  const config = parsed.data[0];
  const perm = (textField(config, 'perm') ?? '').split(',').map((p) => p.trim());
  const ipList = (textField(config, 'ip') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const canTrade = perm.includes('trade');
  const canWithdraw = perm.includes('withdraw');
  return {
    available: true,
    canRead: true,
    canTrade,
    canWithdraw,
    // OKX's asset/transfer is allowed to trade keys: treat either permission as transfer-capable.
    canTransfer: canTrade || canWithdraw,
    ...ipRestriction(ipList),
    raw: {
      perm: textField(config, 'perm'),
      ip: textField(config, 'ip'),
      label: textField(config, 'label'),
    },
  };
}
