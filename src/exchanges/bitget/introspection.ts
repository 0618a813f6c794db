/**
 * What a Bitget key may do: GET /api/v2/spot/account/info answers the key's `authorities` and
 * its IP allow-list `ips` (https://www.bitget.com/api-doc/spot/account/Get-Account-Info).
 * Authorities are per product, `…or` read-only and `…ow` read-write: `stow` spot trade, `smow`
 * margin trade, `coow`/`cpow` futures orders and holdings, `wtow` wallet transfer, `wwow`
 * withdrawal. Older keys answer the coarse `readonly`, `trade`, `transfer`, `withdraw`.
 */
import type { Credential, ExchangeRequest, Introspection, SignContext, Transport } from '../adapter.js';
import { ipRestriction, readIntrospection, sendIntrospection } from '../introspection.js';
import { stringList } from '../json-fields.js';
import { isRecord, textField } from '../strict-json.js';
import { getRequest } from '../upstream-request.js';
import { BITGET_OK } from './errors.js';

const TRADE = ['stow', 'smow', 'coow', 'cpow', 'ttow', 'trade'];
const WITHDRAW = ['wwow', 'withdraw'];
const TRANSFER = ['wtow', 'transfer'];

export const ACCOUNT_INFO_PATH = '/api/v2/spot/account/info';

type Sign = (request: ExchangeRequest, credential: Credential, ctx: SignContext) => ExchangeRequest;

function okData(answer: unknown): Record<string, unknown> | undefined {
  return isRecord(answer) && answer.code === BITGET_OK && isRecord(answer.data) ? answer.data : undefined;
}

export async function bitgetIntrospect(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
  sign: Sign,
): Promise<Introspection> {
  const request = sign(getRequest(ACCOUNT_INFO_PATH), credential, ctx);
  const sent = await sendIntrospection(send, request, `bitget did not answer GET ${ACCOUNT_INFO_PATH}`);
  if (!sent.ok) return sent.result;
  const read = readIntrospection('bitget', sent.response, okData, 'code', 'msg');
  if (!read.ok) return read.result;
  const info = read.data;
  const authorities = stringList(info.authorities).map((a) => a.toLowerCase());
  const has = (names: string[]) => names.some((n) => authorities.includes(n));
  const ips = textField(info, 'ips') ?? '';
  const ipList = ips
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return {
    available: true,
    canRead: true,
    canTrade: has(TRADE),
    canWithdraw: has(WITHDRAW),
    canTransfer: has(TRANSFER),
    ...ipRestriction(ipList),
    // The user id and referral fields are left out: the record needs only what the key may do.
    raw: { authorities, ips },
  };
}
