import type { WithdrawalIntent } from './adapter.js';

/**
 * A withdrawal or transfer intent from the fields an adapter read off the request: absent and
 * empty fields are left out (policies distinguish "no address given" from an address), the coin
 * is upper-cased so policy allow-lists match whatever case the client sent.
 */
export function withdrawalIntent(fields: {
  coin?: string | undefined;
  amount?: number | undefined;
  address?: string | undefined;
  network?: string | undefined;
  tag?: string | undefined;
}): WithdrawalIntent {
  const w: WithdrawalIntent = {};
  if (fields.coin !== undefined) w.coin = fields.coin.toUpperCase();
  if (fields.amount !== undefined) w.amount = fields.amount;
  if (fields.address !== undefined) w.address = fields.address;
  if (fields.network !== undefined) w.network = fields.network;
  if (fields.tag !== undefined && fields.tag !== '') w.tag = fields.tag;
  return w;
}
