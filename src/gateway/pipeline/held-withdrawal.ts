/**
 * What a held withdrawal keeps for later (the approval's payload): the checked intent, and the
 * request as it would be signed, with the client's auth fields already stripped and only the
 * forwarded headers kept. Read back through `parseHeldWithdrawal`, which refuses anything else.
 */
import { z } from 'zod';
import { EXCHANGE_IDS, type ExchangeId, KeywardenError, type WireRequest } from '../../core/index.js';
import type { WithdrawalIntent } from '../../exchanges/index.js';

export interface HeldWithdrawal {
  exchange: ExchangeId;
  keyId: string;
  client: { id: string; name: string };
  /** The bot's request that was held. */
  requestId: string;
  endpoint: string;
  withdrawal: WithdrawalIntent;
  request: WireRequest;
}

const text = (max: number) => z.string().max(max);
const schema = z.strictObject({
  exchange: z.enum(EXCHANGE_IDS),
  keyId: text(128),
  client: z.strictObject({ id: text(128), name: text(256) }),
  requestId: text(128),
  endpoint: text(512),
  withdrawal: z.strictObject({
    coin: text(64).optional(),
    amount: z.number().finite().optional(),
    address: text(512).optional(),
    network: text(128).optional(),
    tag: text(256).optional(),
  }),
  request: z.strictObject({
    method: text(16),
    path: text(2048),
    query: text(65_536),
    headers: z.record(text(64), text(4096)),
    body: text(1_048_576),
  }),
});

export function parseHeldWithdrawal(payload: unknown): HeldWithdrawal {
  const r = schema.safeParse(payload);
  if (!r.success)
    throw new KeywardenError(
      'invalid_input',
      'the approval does not hold a withdrawal this gateway can send',
    );
  return r.data as HeldWithdrawal;
}
