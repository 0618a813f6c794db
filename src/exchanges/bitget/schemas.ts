/**
 * Bitget v2 spot request schemas: the exact fields keywarden accepts per endpoint and per order
 * type (zod `strictObject`s), after https://www.bitget.com/api-doc/spot/trade/Place-Order and
 * its sibling pages, and what CCXT 4.5.84 sends. A field not listed here is refused, never
 * forwarded: a field keywarden did not read (`triggerPrice`, `tpslType`, preset TP/SL prices)
 * is a field Bitget may execute. Values stay as sent (strings, or JSON numbers where Bitget
 * takes them: CCXT sends a transfer's `amount` as a number).
 */
import { z } from 'zod';
import { withdrawalAddress as address, decimalOrNumber, text } from '../request-schema.js';

/** Bitget spot symbols are the pair run together: `BTCUSDT`. */
export const symbol = z
  .string()
  .max(32)
  .regex(/^[A-Z0-9]{2,32}$/, 'expected a Bitget symbol such as BTCUSDT');
const coin = z
  .string()
  .max(16)
  .regex(/^[A-Za-z0-9]{1,16}$/, 'expected a coin such as USDT');
const side = z.enum(['buy', 'sell']);
/**
 * The documents spell these in lower case; CCXT sends `GTC`, `FOK`, `IOC` upper-cased and
 * `post_only` lower-cased. UNCONFIRMED: that Bitget reads `POST_ONLY` too, so it is refused.
 */
const force = z.enum(['gtc', 'GTC', 'post_only', 'fok', 'FOK', 'ioc', 'IOC']);
/** Bitget client order ids: up to 50 characters (code 40305 otherwise). */
const clientOid = z
  .string()
  .regex(/^[A-Za-z0-9_:#+-]{1,50}$/, 'expected up to 50 letters, digits or _:#+-')
  .optional();
const orderId = z
  .string()
  .regex(/^\d{1,32}$/, 'expected an order id')
  .optional();
const stpMode = z.enum(['none', 'cancel_taker', 'cancel_maker', 'cancel_both']).optional();
const dec = decimalOrNumber;

const orderCommon = { side, size: dec, clientOid, stpMode };

/** One order of place-order (with its symbol) or of batch-orders' `orderList` (symbol optional there). */
function orderShapes<S extends z.ZodType>(sym: S) {
  return z.discriminatedUnion('orderType', [
    z.strictObject({ ...orderCommon, symbol: sym, orderType: z.literal('limit'), force, price: dec }),
    // `force` is meaningless on a market order (the documents say so) but CCXT always sends it.
    z.strictObject({ ...orderCommon, symbol: sym, orderType: z.literal('market'), force: force.optional() }),
  ]);
}

/** POST /api/v2/spot/trade/place-order, per order type. */
export const placeOrder = orderShapes(symbol);
export type PlaceOrder = z.infer<typeof placeOrder>;

/** POST /api/v2/spot/trade/batch-orders: up to 50 orders of one symbol. */
export const batchOrders = z.strictObject({
  symbol,
  batchMode: z.literal('single').optional(),
  orderList: z.array(orderShapes(symbol.optional())).min(1, 'must not be empty').max(50, 'at most 50 orders'),
});

/** POST /api/v2/spot/trade/cancel-order. */
export const cancelOrder = z.strictObject({ symbol, orderId, clientOid });
export type CancelOrder = z.infer<typeof cancelOrder>;

/** POST /api/v2/spot/trade/batch-cancel-order: up to 50 orders of one symbol. */
export const batchCancel = z.strictObject({
  symbol,
  batchMode: z.literal('single').optional(),
  orderList: z
    .array(z.strictObject({ symbol: symbol.optional(), orderId, clientOid }))
    .min(1, 'must not be empty')
    .max(50, 'at most 50 orders'),
});

/** POST /api/v2/spot/trade/cancel-symbol-order: every open order of one symbol. */
export const cancelSymbol = z.strictObject({ symbol });

/** POST /api/v2/spot/wallet/withdrawal (on-chain, or to another Bitget account). */
export const withdrawal = z.strictObject({
  coin,
  transferType: z.enum(['on_chain', 'internal_transfer']),
  address,
  chain: text.optional(),
  innerToType: z.enum(['email', 'mobile', 'uid']).optional(),
  areaCode: text.optional(),
  tag: text.optional(),
  size: dec,
  remark: z.string().max(128).optional(),
  clientOid,
});
export type Withdrawal = z.infer<typeof withdrawal>;

/** Bitget's account types (transfers name two of them); the sandbox accepts the same list. */
export const BITGET_ACCOUNT_TYPES = [
  'spot',
  'p2p',
  'coin_futures',
  'usdt_futures',
  'usdc_futures',
  'crossed_margin',
  'isolated_margin',
] as const;
const accountType = z.enum(BITGET_ACCOUNT_TYPES);

/** POST /api/v2/spot/wallet/transfer: between the account's own wallets. */
export const transfer = z.strictObject({
  fromType: accountType,
  toType: accountType,
  amount: dec,
  coin,
  symbol: symbol.optional(),
  clientOid,
});
export type Transfer = z.infer<typeof transfer>;

/**
 * Query parameters the read endpoints take (the union over them, each bounded printable text).
 * Anything else on a read is refused too, so nothing unread is signed.
 */
export const READ_PARAMS: ReadonlySet<string> = new Set([
  'symbol',
  'coin',
  'assetType',
  'orderId',
  'clientOid',
  'startTime',
  'endTime',
  'limit',
  'idLessThan',
  'tpslType',
  'groupType',
  'businessType',
  'fromType',
  'chain',
  'size',
  'cursor',
  'after',
  'before',
]);
