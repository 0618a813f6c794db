/** What a Binance key may do, from GET /sapi/v1/account/apiRestrictions (and its IP list when restricted). */
import type { Credential, Introspection, SignContext, Transport } from '../adapter.js';
import { sendIntrospection } from '../introspection.js';
import { parseJsonRecord, stringList } from '../json-fields.js';
import { getRequest } from '../upstream-request.js';
import { signBinance } from './auth.js';

export async function introspectBinance(
  credential: Credential,
  send: Transport,
  ctx: SignContext,
): Promise<Introspection> {
  const request = signBinance(getRequest('/sapi/v1/account/apiRestrictions'), credential, ctx);
  const sent = await sendIntrospection(
    send,
    request,
    'binance did not answer GET /sapi/v1/account/apiRestrictions',
  );
  if (!sent.ok) return sent.result;
  const { response } = sent;
  const raw = parseJsonRecord(response.body);
  if (response.status !== 200 || !raw || typeof raw.enableReading !== 'boolean') {
    const msg = typeof raw?.msg === 'string' ? raw.msg : `HTTP ${response.status}`;
    return { available: false, reason: `binance apiRestrictions failed: ${msg.slice(0, 200)}` };
  }
  const ipRestricted = raw.ipRestrict === true;
  let ipList: string[] | undefined;
  if (ipRestricted) {
    // UNCONFIRMED endpoint (listed in CCXT's table only): best effort, ignored when absent.
    try {
      const r = await send(
        signBinance(getRequest('/sapi/v1/account/apiRestrictions/ipRestriction'), credential, ctx),
      );
      const list = parseJsonRecord(r.body)?.ipList;
      if (r.status === 200 && Array.isArray(list)) ipList = stringList(list);
    } catch {
      ipList = undefined;
    }
  }
  return {
    available: true,
    canRead: raw.enableReading === true,
    canTrade: raw.enableSpotAndMarginTrading === true,
    canWithdraw: raw.enableWithdrawals === true,
    canTransfer: raw.enableInternalTransfer === true || raw.permitsUniversalTransfer === true,
    ipRestricted,
    ...(ipList ? { ipList } : {}),
    raw,
  };
}
