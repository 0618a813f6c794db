/** What a Bybit key may do, from GET /v5/user/query-api (the key's own secret is dropped). */
import type { Credential, Introspection, SignContext, Transport } from '../adapter.js';
import { ipRestriction, refusedIntrospection } from '../introspection.js';
import { parseJson, stringList } from '../json-fields.js';
import { isRecord, textField } from '../strict-json.js';
import { signBybit } from './auth.js';

export async function introspectBybit(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<Introspection> {
  const request = signBybit(
    { method: 'GET', path: '/v5/user/query-api', query: '', headers: {}, body: '' },
    credential,
    ctx,
  );
  const response = await send(request);
  const parsed = parseJson(response.body);
  if (parsed === undefined) {
    return { available: false, reason: `bybit answered HTTP ${response.status} without JSON` };
  }
  if (!isRecord(parsed) || parsed.retCode !== 0 || !isRecord(parsed.result)) {
    return refusedIntrospection('bybit', response.status, parsed, 'retCode', 'retMsg');
  }
  const result = parsed.result;
  const permissions = isRecord(result.permissions) ? result.permissions : {};
  const list = (name: string): string[] => stringList(permissions[name]);
  const readOnly = textField(result, 'readOnly') === '1';
  const wallet = list('Wallet');
  const tradeLists = ['ContractTrade', 'Spot', 'Options', 'Derivatives'];
  const canTrade = !readOnly && tradeLists.some((n) => list(n).length > 0);
  // Bybit reports an unrestricted key as ["*"].
  const ipList = stringList(result.ips).filter((ip) => ip !== '*' && ip !== '');
  const { secret: _secret, ...safe } = result;
  return {
    available: true,
    canRead: true,
    canTrade,
    canWithdraw: !readOnly && wallet.includes('Withdraw'),
    canTransfer:
      !readOnly &&
      (wallet.includes('AccountTransfer') ||
        wallet.includes('SubMemberTransfer') ||
        wallet.includes('SubMemberTransferList')),
    ...ipRestriction(ipList),
    raw: safe,
  };
}
