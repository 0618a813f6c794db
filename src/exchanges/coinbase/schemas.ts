/**
 * Coinbase Advanced Trade request schemas: the exact fields keywarden accepts per endpoint and
 * per `order_configuration` variant (built once, at module load). A field not listed here is a
 * refusal, so nothing keywarden did not read can reach Coinbase.
 *
 * Field lists follow the Advanced Trade REST reference (Create Order, Edit Order, Cancel
 * Orders, Create Convert Quote, Commit Convert Trade, Move Portfolio Funds) and what CCXT 4.5
 * (`createOrder`, `editOrder`, `cancelOrders`, `fetchConvertQuote`, `createConvertTrade`,
 * `transfer`, `withdraw`) and the official SDK send.
 */
import { z } from 'zod';
import { decimal, text } from '../request-schema.js';

/** A size or price: a plain decimal string above zero (Coinbase reads them as strings). */
export const positive = decimal.refine((s) => Number(s) > 0, 'must be greater than zero');

const time = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/, 'expected an RFC 3339 time');

const stopDirection = z.enum(['STOP_DIRECTION_STOP_UP', 'STOP_DIRECTION_STOP_DOWN']);

/** An asset code as convert and sends name it (`USD`, `BTC`, `USDC`). */
export const currency = z.string().regex(/^[A-Za-z0-9]{2,12}$/, 'expected a currency code');

/** How keywarden reads one configuration: its order type, pricing and price fields. */
export interface ConfigSpec {
  schema: z.ZodType<Record<string, string | boolean | undefined>>;
  type: string;
  pricing: 'limit' | 'market';
  /** The field priced as the limit (scaled orders: `max_price`, the costliest of their prices). */
  priceField?: string;
  /** Every other price field, band-checked by name. */
  otherPrices: string[];
  /** Market configurations may be sized in quote; every other one in base units only. */
  quoteSize: boolean;
}

const baseSized = { base_size: positive };
const marketSized = { base_size: positive.optional(), quote_size: positive.optional() };

function spec(
  type: string,
  pricing: 'limit' | 'market',
  shape: Record<string, z.ZodType>,
  priceField?: string,
  otherPrices: string[] = [],
): ConfigSpec {
  const s: ConfigSpec = {
    schema: z.strictObject(shape) as unknown as ConfigSpec['schema'],
    type,
    pricing,
    otherPrices,
    quoteSize: pricing === 'market',
  };
  if (priceField !== undefined) s.priceField = priceField;
  return s;
}

/**
 * Every spot `order_configuration` key Coinbase documents, with exactly its own fields
 * (`market_market_fok` is for perpetuals only, so it is not here).
 */
export const ORDER_CONFIGS: Readonly<Record<string, ConfigSpec>> = {
  market_market_ioc: spec('market', 'market', marketSized),
  sor_limit_ioc: spec('limit', 'limit', { ...baseSized, limit_price: positive }, 'limit_price'),
  limit_limit_gtc: spec(
    'limit',
    'limit',
    { ...baseSized, limit_price: positive, post_only: z.boolean().optional() },
    'limit_price',
  ),
  limit_limit_gtd: spec(
    'limit',
    'limit',
    { ...baseSized, limit_price: positive, end_time: time, post_only: z.boolean().optional() },
    'limit_price',
  ),
  limit_limit_fok: spec('limit', 'limit', { ...baseSized, limit_price: positive }, 'limit_price'),
  twap_limit_gtd: spec(
    'twap',
    'limit',
    {
      ...baseSized,
      limit_price: positive,
      start_time: time.optional(),
      end_time: time,
      number_buckets: z
        .string()
        .regex(/^[1-9]\d{0,5}$/)
        .optional(),
      bucket_size: positive.optional(),
      bucket_duration: z
        .string()
        .regex(/^\d{1,9}(?:\.\d{1,9})?s$/)
        .optional(),
    },
    'limit_price',
  ),
  stop_limit_stop_limit_gtc: spec(
    'stop_limit',
    'limit',
    { ...baseSized, limit_price: positive, stop_price: positive, stop_direction: stopDirection.optional() },
    'limit_price',
    ['stop_price'],
  ),
  stop_limit_stop_limit_gtd: spec(
    'stop_limit',
    'limit',
    {
      ...baseSized,
      limit_price: positive,
      stop_price: positive,
      end_time: time,
      stop_direction: stopDirection.optional(),
    },
    'limit_price',
    ['stop_price'],
  ),
  trigger_bracket_gtc: spec(
    'trigger_bracket',
    'limit',
    { ...baseSized, limit_price: positive, stop_trigger_price: positive },
    'limit_price',
    ['stop_trigger_price'],
  ),
  trigger_bracket_gtd: spec(
    'trigger_bracket',
    'limit',
    { ...baseSized, limit_price: positive, stop_trigger_price: positive, end_time: time },
    'limit_price',
    ['stop_trigger_price'],
  ),
  scaled_limit_gtc: spec(
    'scaled',
    'limit',
    {
      ...baseSized,
      num_orders: z.string().regex(/^[1-9]\d{0,2}$/, 'expected an order count'),
      min_price: positive,
      max_price: positive,
      price_distribution: z.enum(['FLAT', 'LINEAR_INCREASING', 'LINEAR_DECREASING']).optional(),
      size_distribution: z.enum(['FLAT', 'LINEAR_INCREASING', 'LINEAR_DECREASING']).optional(),
      size_diff: positive.optional(),
      size_ratio: positive.optional(),
    },
    'max_price',
    ['min_price'],
  ),
};

/** The TP/SL bracket Coinbase attaches to an order: both its prices are band-checked. */
const attached = z.strictObject({
  trigger_bracket_gtc: z.strictObject({ limit_price: positive, stop_trigger_price: positive }),
});

const orderFields = {
  product_id: text,
  side: z.enum(['BUY', 'SELL']),
  order_configuration: z.record(z.string(), z.unknown()),
  attached_order_configuration: attached.optional(),
  self_trade_prevention_id: text.optional(),
  /** Leverage and margin type make the order a margin trade (action `margin`). */
  leverage: positive.optional(),
  margin_type: z.enum(['CROSS', 'ISOLATED']).optional(),
  preview_id: text.optional(),
};

/** POST /orders: CCXT always sends `client_order_id` (`ccxt-<uuid>`, or its brokerId). */
export const createOrderSchema = z.strictObject({ client_order_id: text.optional(), ...orderFields });
/** POST /orders/preview: the same order, never a client order id. */
export const previewOrderSchema = z.strictObject({
  ...orderFields,
  skip_fcm_risk_check: z.boolean().optional(),
});

/** POST /orders/edit and /orders/edit_preview: a GTC limit (or stop-limit) order's new price and size. */
export const editOrderSchema = z.strictObject({
  order_id: text.min(1),
  price: positive.optional(),
  size: positive.optional(),
  stop_price: positive.optional(),
});

export const batchCancelSchema = z.strictObject({
  order_ids: z.array(text.min(1)).min(1).max(100),
});

export const convertQuoteSchema = z.strictObject({
  from_account: currency,
  to_account: currency,
  amount: positive,
  trade_incentive_metadata: z
    .strictObject({ user_incentive_id: text.optional(), code_val: text.optional() })
    .optional(),
});

export const convertCommitSchema = z.strictObject({ from_account: currency, to_account: currency });

export const moveFundsSchema = z.strictObject({
  funds: z.strictObject({ value: positive, currency }),
  source_portfolio_uuid: text.min(1),
  target_portfolio_uuid: text.min(1),
});

/** Coinbase App v2 send (`type: send`) or transfer between the user's own accounts. */
export const sendSchema = z.strictObject({
  type: z.enum(['send', 'transfer']),
  to: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[\x21-\x7e]+$/, 'expected an address without spaces'),
  amount: positive,
  currency,
  network: text.optional(),
  destination_tag: text.optional(),
  idem: text.optional(),
  description: z.string().max(256).optional(),
  skip_notifications: z.boolean().optional(),
});

/** v2 fiat withdrawal (and deposit): amount, currency, payment method. */
export const fiatSchema = z.strictObject({
  amount: positive,
  currency,
  payment_method: text.min(1),
  commit: z.boolean().optional(),
});
