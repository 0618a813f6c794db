/** What an OKX key may do, from GET /api/v5/account/config. */
import type { Credential, Introspection, SignContext, Transport } from '../adapter.js';
import { ipRestriction, readIntrospection } from '../introspection.js';
import { isRecord, textField } from '../strict-json.js';
import { getRequest } from '../upstream-request.js';
import { signOkx } from './auth.js';

function firstRow(answer: unknown): Record<string, unknown> | undefined {
  if (!isRecord(answer) || answer.code !== '0' || !Array.isArray(answer.data)) return undefined;
  const first: unknown = answer.data[0];
  return isRecord(first) ? first : undefined;
}

export async function introspectOkx(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<Introspection> {
  const response = await send(signOkx(getRequest('/api/v5/account/config'), credential, ctx));
  const read = readIntrospection('okx', response, firstRow, 'code', 'msg');
  if (!read.ok) return read.result;
  const config = read.data;
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
