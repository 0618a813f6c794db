/**
 * What a KuCoin key may do: GET /api/v1/user/api-key ("Get API Key Info") answers the key's
 * `permission` (comma-separated: General, Spot, Margin, Futures, InnerTransfer, Transfer, ...),
 * `ipWhitelist`, `remark`, `apiVersion` and `isMaster`. UNCONFIRMED: the exact permission
 * tokens beyond General/Spot/Transfer (read from KuCoin's API-key guide and third-party
 * clients), and whether `ipWhitelist` is a comma-separated string or an array (both are read).
 */
import type { Credential, Introspection, SignContext, Transport } from '../adapter.js';
import { ipRestriction, readIntrospection, sendIntrospection } from '../introspection.js';
import { isRecord, textField } from '../strict-json.js';
import { getRequest } from '../upstream-request.js';
import { KUCOIN_OK } from './answers.js';
import type { KucoinSign } from './sign.js';

export const API_KEY_INFO_PATH = '/api/v1/user/api-key';

function list(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function okData(answer: unknown): Record<string, unknown> | undefined {
  return isRecord(answer) && answer.code === KUCOIN_OK && isRecord(answer.data) ? answer.data : undefined;
}

export async function kucoinIntrospect(
  sign: KucoinSign,
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<Introspection> {
  const request = sign(getRequest(API_KEY_INFO_PATH), credential, ctx);
  const answer = await sendIntrospection(send, request, 'kucoin could not be reached');
  if (!answer.ok) return answer.result;
  const read = readIntrospection('kucoin', answer.response, okData, 'code', 'msg');
  if (!read.ok) return read.result;
  const info = read.data;
  const perms = new Set(list(info.permission ?? info.permissions).map((p) => p.toLowerCase()));
  const canWithdraw = perms.has('transfer');
  return {
    available: true,
    canRead: perms.has('general'),
    canTrade: perms.has('spot') || perms.has('margin') || perms.has('futures'),
    canWithdraw,
    // "Transfer" moves funds out (and between accounts); InnerTransfer only between the account's own.
    canTransfer: canWithdraw || perms.has('innertransfer'),
    ...ipRestriction(list(info.ipWhitelist)),
    raw: {
      permission: textField(info, 'permission') ?? list(info.permissions).join(','),
      ipWhitelist: list(info.ipWhitelist).join(','),
      remark: textField(info, 'remark'),
      apiVersion: textField(info, 'apiVersion'),
      isMaster: textField(info, 'isMaster'),
    },
  };
}
