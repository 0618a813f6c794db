/** What a Bybit key may do, from GET /v5/user/query-api (the key's own secret is dropped). */
import type { Credential, Introspection, SignContext, Transport } from '../adapter.js';
import { ipRestriction, readIntrospection } from '../introspection.js';
import { stringList } from '../json-fields.js';
import { isRecord, textField } from '../strict-json.js';
import { getRequest } from '../upstream-request.js';
import { signBybit } from './auth.js';

function okResult(answer: unknown): Record<string, unknown> | undefined {
  return isRecord(answer) && answer.retCode === 0 && isRecord(answer.result) ? answer.result : undefined;
}

export async function introspectBybit(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<Introspection> {
  const response = await send(signBybit(getRequest('/v5/user/query-api'), credential, ctx));
  const read = readIntrospection('bybit', response, okResult, 'retCode', 'retMsg');
  if (!read.ok) return read.result;
  const result = read.data;
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
