/**
 * KuCoin spot request schemas: the exact fields keywarden accepts per endpoint and order type
 * (zod `strictObject`s). A field not listed here is refused, never forwarded: a field keywarden
 * did not read is a field KuCoin may execute (a `stopPrice` on /orders, a `tradeType` of
 * MARGIN_TRADE). Field lists from KuCoin's docs-new pages (Add Order, Withdraw (v3), Flex
 * Transfer, Inner Transfer) and what CCXT 4.5.84 sends.
 */
import { z } from 'zod';
import { withdrawalAddress as address, decimalOrNumber, text } from '../request-schema.js';

export const symbol = z
  .string()
  .max(41)
  .regex(/^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}$/, 'expected a KuCoin symbol such as BTC-USDT');
export const currency = z
  .string()
  .max(20)
  .regex(/^[A-Za-z0-9]{1,20}$/, 'expected a currency code');
/** Client ids: up to 40 letters, digits, `-` and `_` (CCXT sends a UUID). */
export const clientOid = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, 'expected up to 40 letters, digits, - or _');
/** KuCoin order ids are 24 hex characters (`5bd6e9286d99522a52e458de`); sandbox ids are digits. */
export const orderId = z.string().regex(/^[A-Za-z0-9]{1,40}$/, 'expected an order id');
const side = z.enum(['buy', 'sell']);
const bool = z.boolean();
const remark = z
  .string()
  .max(100)
  .regex(/^[\x20-\x7e]*$/, 'expected printable ASCII');

const orderCommon = {
  clientOid,
  side,
  symbol,
  remark: remark.optional(),
  stp: z.enum(['CN', 'CO', 'CB', 'DC']).optional(),
  // Spot only: MARGIN_TRADE on this endpoint is a margin order (KuCoin's older form).
  tradeType: z.literal('TRADE').optional(),
};

/** POST /api/v1/orders, per order type. */
export const placeOrder = z.discriminatedUnion('type', [
  z.strictObject({
    ...orderCommon,
    type: z.literal('limit'),
    price: decimalOrNumber,
    size: decimalOrNumber,
    timeInForce: z.enum(['GTC', 'GTT', 'IOC', 'FOK']).optional(),
    cancelAfter: z
      .union([z.number().int().positive().max(2_592_000), z.string().regex(/^\d{1,7}$/)])
      .optional(),
    postOnly: bool.optional(),
    hidden: bool.optional(),
    iceberg: bool.optional(),
    visibleSize: decimalOrNumber.optional(),
  }),
  z.strictObject({
    ...orderCommon,
    type: z.literal('market'),
    size: decimalOrNumber.optional(),
    funds: decimalOrNumber.optional(),
  }),
]);
export type PlaceOrder = z.infer<typeof placeOrder>;

/** POST /api/v3/withdrawals (what CCXT sends) and the older POST /api/v1/withdrawals. */
export const withdrawalV3 = z.strictObject({
  currency,
  toAddress: address,
  amount: decimalOrNumber,
  withdrawType: z.enum(['ADDRESS', 'UID', 'MAIL', 'PHONE']),
  chain: text.optional(),
  memo: text.optional(),
  isInner: bool.optional(),
  remark: remark.optional(),
  feeDeductType: z.enum(['INTERNAL', 'EXTERNAL']).optional(),
});
export const withdrawalV1 = z.strictObject({
  currency,
  address,
  amount: decimalOrNumber,
  chain: text.optional(),
  memo: text.optional(),
  isInner: bool.optional(),
  remark: remark.optional(),
  feeDeductType: z.enum(['INTERNAL', 'EXTERNAL']).optional(),
});

const accountType = z
  .string()
  .max(20)
  .regex(/^[A-Za-z_]{1,20}$/, 'expected an account type');

/** POST /api/v3/accounts/universal-transfer (CCXT's transfer between main and trade). */
export const universalTransfer = z.strictObject({
  clientOid,
  currency,
  amount: decimalOrNumber,
  type: z.enum(['INTERNAL', 'PARENT_TO_SUB', 'SUB_TO_PARENT']),
  fromAccountType: accountType,
  toAccountType: accountType,
  fromUserId: text.optional(),
  toUserId: text.optional(),
  fromAccountTag: symbol.optional(),
  toAccountTag: symbol.optional(),
});

/** POST /api/v2/accounts/inner-transfer (between the account's own accounts). */
export const innerTransfer = z.strictObject({
  clientOid,
  currency,
  amount: decimalOrNumber,
  from: accountType,
  to: accountType,
  fromTag: symbol.optional(),
  toTag: symbol.optional(),
});

/**
 * Query parameters the read endpoints take (the union over them, each a bounded printable
 * text). Anything else on a read is refused, so nothing unread is signed.
 */
export const READ_PARAMS: ReadonlySet<string> = new Set([
  'currency',
  'type',
  'status',
  'symbol',
  'side',
  'tradeType',
  'startAt',
  'endAt',
  'currentPage',
  'pageSize',
  'orderId',
  'bizType',
  'direction',
  'chain',
  'symbols',
  'lastId',
  'limit',
]);

/** The only query DELETE /api/v1/orders (cancel all) takes. */
export const CANCEL_ALL_PARAMS: ReadonlySet<string> = new Set(['symbol', 'tradeType']);
