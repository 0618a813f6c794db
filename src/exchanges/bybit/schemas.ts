/**
 * The exact request bodies keywarden forwards to Bybit v5, one zod `strictObject` per endpoint
 * (built once, at module load). A field not listed here is refused: Bybit's own parser would
 * read it (its JSON binding even matches keys case-insensitively), keywarden would not. The rules
 * a schema cannot say (which fields an order type or category uses) live in ./orders.ts.
 * Field lists: Bybit's docs (order/create-order, amend-order, cancel-order, batch-*, withdraw,
 * transfer, position/leverage, account/set-margin-mode) and what CCXT 4.5.84 sends.
 */
import { z } from 'zod';
import { decimalOrNumber, text } from '../request-schema.js';

const price = decimalOrNumber;
/** Bybit order link ids: at most 36 letters, digits, `-` and `_`. */
const linkId = z
  .string()
  .min(1)
  .max(36)
  .regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, "-" or "_"');
const orderId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'expected an order id');
const triggerBy = z.enum(['LastPrice', 'IndexPrice', 'MarkPrice']);
const flag = z.union([z.literal(0), z.literal(1), z.literal('0'), z.literal('1')]);
const category = z.enum(['spot', 'linear', 'inverse']);

/** The trigger and TP/SL price fields an order and an amend both carry. */
const legShape = {
  triggerPrice: price.optional(),
  triggerBy: triggerBy.optional(),
  takeProfit: price.optional(),
  stopLoss: price.optional(),
  tpTriggerBy: triggerBy.optional(),
  slTriggerBy: triggerBy.optional(),
  tpslMode: z.enum(['Full', 'Partial']).optional(),
  tpLimitPrice: price.optional(),
  slLimitPrice: price.optional(),
};

/** The fields of one order, as `create` and each `create-batch` item carry them (no category). */
const orderShape = {
  ...legShape,
  symbol: text,
  side: z.enum(['Buy', 'Sell']),
  orderType: z.enum(['Market', 'Limit']),
  qty: decimalOrNumber,
  price: price.optional(),
  marketUnit: z.enum(['baseCoin', 'quoteCoin']).optional(),
  isLeverage: flag.optional(),
  timeInForce: z.enum(['GTC', 'IOC', 'FOK', 'PostOnly']).optional(),
  orderLinkId: linkId.optional(),
  orderFilter: z.enum(['Order', 'tpslOrder', 'StopOrder']).optional(),
  triggerDirection: z.union([z.literal(1), z.literal(2)]).optional(),
  tpOrderType: z.enum(['Market', 'Limit']).optional(),
  slOrderType: z.enum(['Market', 'Limit']).optional(),
  reduceOnly: z.boolean().optional(),
  closeOnTrigger: z.boolean().optional(),
  positionIdx: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  smpType: z.enum(['None', 'CancelMaker', 'CancelTaker', 'CancelBoth']).optional(),
};

/** What an amend (single or batch item) may change, and the order it names. */
const amendShape = {
  ...legShape,
  symbol: text,
  orderId: orderId.optional(),
  orderLinkId: linkId.optional(),
  qty: decimalOrNumber.optional(),
  price: price.optional(),
};

const cancelShape = {
  symbol: text,
  orderId: orderId.optional(),
  orderLinkId: linkId.optional(),
};

/** Bybit's batch sizes: 20 orders per request (10 for spot). */
export const MAX_BATCH = 20;
export const MAX_SPOT_BATCH = 10;
const batch = <T extends z.ZodType>(item: T) =>
  z.array(item).min(1, 'an empty batch carries no order').max(MAX_BATCH, `at most ${MAX_BATCH} orders`);

export const orderItem = z.strictObject(orderShape);
export const createOrder = z.strictObject({ category, ...orderShape });
export const createBatch = z.strictObject({ category, request: batch(orderItem) });
export const amendItem = z.strictObject(amendShape);
export const amendOrder = z.strictObject({ category, ...amendShape });
export const amendBatch = z.strictObject({ category, request: batch(amendItem) });
export const cancelItem = z.strictObject(cancelShape);
export const cancelOrder = z.strictObject({
  category,
  ...cancelShape,
  orderFilter: z.enum(['Order', 'tpslOrder', 'StopOrder']).optional(),
});
export const cancelBatch = z.strictObject({ category, request: batch(cancelItem) });
export const cancelAll = z.strictObject({
  category,
  symbol: text.optional(),
  baseCoin: text.optional(),
  settleCoin: text.optional(),
  orderFilter: z.enum(['Order', 'tpslOrder', 'StopOrder']).optional(),
  stopOrderType: z.literal('Stop').optional(),
});

const coin = z
  .string()
  .min(1)
  .max(20)
  .regex(/^[A-Za-z0-9]+$/, 'expected a coin name');
const accountType = z.enum(['UNIFIED', 'FUND', 'SPOT', 'CONTRACT', 'UTA', 'OPTION', 'INVESTMENT']);
export const withdrawCreate = z.strictObject({
  coin,
  chain: text.optional(),
  address: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'expected an address'),
  tag: z
    .string()
    .max(100)
    .regex(/^[\x21-\x7e]*$/, 'expected a tag')
    .optional(),
  amount: decimalOrNumber,
  timestamp: z.number().int().nonnegative(),
  forceChain: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  accountType: z.enum(['FUND', 'UTA', 'SPOT', 'FUND,UTA']).optional(),
  feeType: z.union([z.literal(0), z.literal(1)]).optional(),
  requestId: linkId.optional(),
});
export const withdrawCancel = z.strictObject({ id: orderId });
const memberId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]);
/** What every Bybit transfer names: its own id, the coin and the amount. */
const transferFields = { transferId: z.string().uuid(), coin, amount: decimalOrNumber };
export const interTransfer = z.strictObject({
  ...transferFields,
  fromAccountType: accountType,
  toAccountType: accountType,
});
export const universalTransfer = z.strictObject({
  ...transferFields,
  fromMemberId: memberId,
  toMemberId: memberId,
  fromAccountType: accountType,
  toAccountType: accountType,
});

const leverage = decimalOrNumber;
export const setLeverage = z.strictObject({
  category: z.enum(['linear', 'inverse']),
  symbol: text,
  buyLeverage: leverage,
  sellLeverage: leverage,
});
export const setMarginMode = z.strictObject({
  setMarginMode: z.enum(['ISOLATED_MARGIN', 'REGULAR_MARGIN', 'PORTFOLIO_MARGIN']),
});
export const spotMarginSwitch = z.strictObject({ spotMarginMode: z.enum(['0', '1']) });
export const spotMarginLeverage = z.strictObject({ leverage });

/**
 * Read and public queries: names and values checked loosely (a read executes nothing), but a
 * name Bybit could read that is not a plain identifier, or a value with spaces or controls, is refused.
 */
export const queryParams = z.record(
  z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,39}$/, 'expected a parameter name'),
  z
    .string()
    .max(512)
    .regex(/^[\x21-\x7e]*$/, 'expected printable text'),
);
