/**
 * OKX v5 request schemas: the exact fields keywarden accepts per endpoint and per order type
 * (zod `strictObject`s, built once). A field not listed here is refused, never forwarded: a
 * field keywarden did not read is a field OKX may execute. Values stay the strings (or JSON
 * numbers) that were sent; the forwarded body is the parsed body.
 */
import { z } from 'zod';
import { withdrawalAddress as address, decimalOrNumber, text } from '../request-schema.js';

/** `BTC-USDT`, `BTC-USDT-SWAP`, `BTC-USD-250627`, `BTC-USD-250627-60000-C`. */
const INST_ID = /^[A-Z0-9]{1,20}-[A-Z0-9]{1,20}(?:-SWAP|-\d{6}(?:-\d{1,12}(?:\.\d{1,8})?-[CP])?)?$/;

export const instId = z.string().max(64).regex(INST_ID, 'expected an OKX instrument id such as BTC-USDT');
const ccy = z
  .string()
  .max(16)
  .regex(/^[A-Z0-9]{1,16}$/, 'expected a currency code');
export const dec = decimalOrNumber;
/** An order price that may be `-1`: "execute at the market" (orderPx, tpOrdPx, slOrdPx). */
export const pxOrMarket = z.union([z.literal('-1'), decimalOrNumber]);
const bool = z.union([z.boolean(), z.enum(['true', 'false'])]);
const side = z.enum(['buy', 'sell']);
const tdMode = z.enum(['cash', 'cross', 'isolated', 'spot_isolated']);
const posSide = z.enum(['long', 'short', 'net']);
const tgtCcy = z.enum(['base_ccy', 'quote_ccy']);
const pxType = z.enum(['last', 'index', 'mark']);
/** OKX client ids: up to 32 letters and digits (CCXT sends its broker id + 16 characters). */
const clientId = z
  .string()
  .regex(/^[A-Za-z0-9]{1,32}$/, 'expected up to 32 letters and digits')
  .optional();
const tag = z
  .string()
  .regex(/^[A-Za-z0-9]{1,16}$/, 'expected up to 16 letters and digits')
  .optional();
const orderId = z
  .string()
  .regex(/^\d{1,32}$/, 'expected an order id')
  .optional();

/** One take-profit / stop-loss leg attached to an order (`attachAlgoOrds[i]`). */
export const attachedLeg = z.strictObject({
  attachAlgoClOrdId: clientId,
  tpTriggerPx: dec.optional(),
  tpOrdPx: pxOrMarket.optional(),
  tpOrdKind: z.enum(['condition', 'limit']).optional(),
  tpTriggerPxType: pxType.optional(),
  slTriggerPx: dec.optional(),
  slOrdPx: pxOrMarket.optional(),
  slTriggerPxType: pxType.optional(),
});
export type AttachedLeg = z.infer<typeof attachedLeg>;

/** OKX attaches one TP/SL pair per order unless split TPs (sized legs, refused here) are used. */
const attachAlgoOrds = z.array(attachedLeg).min(1, 'must not be empty').max(1, 'at most one leg').optional();

const orderCommon = {
  instId,
  tdMode,
  ccy: ccy.optional(),
  clOrdId: clientId,
  tag,
  side,
  posSide: posSide.optional(),
  sz: dec,
  reduceOnly: bool.optional(),
  tgtCcy: tgtCcy.optional(),
  banAmend: bool.optional(),
  stpMode: z.enum(['cancel_maker', 'cancel_taker', 'cancel_both']).optional(),
  attachAlgoOrds,
};

/** POST /api/v5/trade/order (and each item of batch-orders), per order type. */
export const placeOrder = z.discriminatedUnion('ordType', [
  z.strictObject({ ...orderCommon, ordType: z.enum(['limit', 'post_only', 'fok', 'ioc']), px: dec }),
  z.strictObject({ ...orderCommon, ordType: z.literal('market') }),
  z.strictObject({ ...orderCommon, ordType: z.literal('optimal_limit_ioc') }),
]);
export type PlaceOrder = z.infer<typeof placeOrder>;

const algoCommon = {
  instId,
  tdMode,
  ccy: ccy.optional(),
  side,
  posSide: posSide.optional(),
  sz: dec,
  tag,
  tgtCcy: tgtCcy.optional(),
  algoClOrdId: clientId,
  reduceOnly: bool.optional(),
};
const tpSl = {
  tpTriggerPx: dec.optional(),
  tpTriggerPxType: pxType.optional(),
  tpOrdPx: pxOrMarket.optional(),
  tpOrdKind: z.enum(['condition', 'limit']).optional(),
  slTriggerPx: dec.optional(),
  slTriggerPxType: pxType.optional(),
  slOrdPx: pxOrMarket.optional(),
  cxlOnClosePos: bool.optional(),
};

/** POST /api/v5/trade/order-algo, per algo order type (iceberg, twap, chase are refused). */
export const algoOrder = z.discriminatedUnion('ordType', [
  z.strictObject({ ...algoCommon, ...tpSl, ordType: z.enum(['conditional', 'oco']) }),
  z.strictObject({
    ...algoCommon,
    ordType: z.literal('trigger'),
    triggerPx: dec,
    orderPx: pxOrMarket,
    triggerPxType: pxType.optional(),
    attachAlgoOrds,
  }),
  z.strictObject({
    ...algoCommon,
    ordType: z.literal('move_order_stop'),
    callbackRatio: dec.optional(),
    callbackSpread: dec.optional(),
    activePx: dec.optional(),
  }),
]);
export type AlgoOrder = z.infer<typeof algoOrder>;

/** POST /api/v5/trade/amend-order (and each item of amend-batch-orders). */
export const amendOrder = z.strictObject({
  instId,
  ordId: orderId,
  clOrdId: clientId,
  cxlOnFail: bool.optional(),
  reqId: clientId,
  newSz: dec.optional(),
  newPx: dec.optional(),
  newTpTriggerPx: dec.optional(),
  newTpOrdPx: pxOrMarket.optional(),
  newTpOrdKind: z.enum(['condition', 'limit']).optional(),
  newTpTriggerPxType: pxType.optional(),
  newSlTriggerPx: dec.optional(),
  newSlOrdPx: pxOrMarket.optional(),
  newSlTriggerPxType: pxType.optional(),
});
export type AmendOrder = z.infer<typeof amendOrder>;

/** POST /api/v5/trade/cancel-order (and each item of cancel-batch-orders). */
export const cancelOrder = z.strictObject({ instId, ordId: orderId, clOrdId: clientId });
/** Each item of POST /api/v5/trade/cancel-algos. */
export const cancelAlgo = z.strictObject({ instId, algoId: orderId, algoClOrdId: clientId });
export const massCancel = z.strictObject({
  instType: z.literal('OPTION'),
  instFamily: text,
  lockInterval: z
    .string()
    .regex(/^\d{1,7}$/)
    .optional(),
});
export const cancelAllAfter = z.strictObject({ timeOut: z.string().regex(/^\d{1,3}$/), tag });

/** POST /api/v5/trade/close-position: closes the whole position at the market. */
export const closePosition = z.strictObject({
  instId,
  posSide: posSide.optional(),
  mgnMode: z.enum(['cross', 'isolated']),
  ccy: ccy.optional(),
  autoCxl: bool.optional(),
  clOrdId: clientId,
  tag,
});

export const withdrawal = z.strictObject({
  ccy,
  amt: dec,
  dest: z.enum(['3', '4']),
  toAddr: address,
  toAddrType: z.enum(['1', '2', '3']).optional(),
  chain: text.optional(),
  areaCode: text.optional(),
  clientId,
  // Sent by CCXT (withdrawals to OKX accounts are free: "0"); OKX no longer documents it.
  fee: dec.optional(),
});
export const lightningWithdrawal = z.strictObject({
  ccy,
  invoice: z
    .string()
    .min(1)
    .max(2048)
    .regex(/^[A-Za-z0-9]+$/),
  memo: text.optional(),
});
export const cancelWithdrawal = z.strictObject({ wdId: z.string().regex(/^\d{1,32}$/) });
const account = z.enum(['6', '18']);
export const transfer = z.strictObject({
  ccy,
  amt: dec,
  from: account,
  to: account,
  subAcct: text.optional(),
  type: z.enum(['0', '1', '2', '3', '4']).optional(),
  loanTrans: bool.optional(),
  omitPosRisk: bool.optional(),
  clientId,
});
export const subaccountTransfer = z.strictObject({
  ccy,
  amt: dec,
  from: account,
  to: account,
  fromSubAccount: text,
  toSubAccount: text,
  loanTrans: bool.optional(),
  omitPosRisk: bool.optional(),
});

export const setLeverage = z.strictObject({
  instId: instId.optional(),
  ccy: ccy.optional(),
  lever: dec,
  mgnMode: z.enum(['cross', 'isolated']),
  posSide: posSide.optional(),
});
export const setPositionMode = z.strictObject({ posMode: z.enum(['long_short_mode', 'net_mode']) });
export const setAccountLevel = z.strictObject({ acctLv: z.enum(['1', '2', '3', '4']) });
export const manualBorrowRepay = z.strictObject({ ccy, side: z.enum(['borrow', 'repay']), amt: dec });
export const setAutoLoan = z.strictObject({ autoLoan: bool });

export const convertQuote = z.strictObject({
  baseCcy: ccy,
  quoteCcy: ccy,
  side,
  rfqSz: dec,
  rfqSzCcy: ccy,
  clQReqId: clientId,
  tag,
});
export const convertTrade = z.strictObject({
  quoteId: text,
  baseCcy: ccy,
  quoteCcy: ccy,
  side,
  sz: dec,
  szCcy: ccy,
  clTReqId: clientId,
  tag,
});

/**
 * Query parameters the read endpoints take (loosely: the union over them, each a bounded
 * printable text). Anything else on a read is refused too, so nothing unread is signed.
 */
export const READ_PARAMS: ReadonlySet<string> = new Set([
  'instType',
  'instId',
  'instFamily',
  'uly',
  'ordId',
  'clOrdId',
  'algoId',
  'algoClOrdId',
  'ordType',
  'state',
  'category',
  'after',
  'before',
  'begin',
  'end',
  'limit',
  'ccy',
  'posId',
  'subType',
  'ruleType',
  'mgnMode',
  'ctType',
  'type',
  'wdId',
  'depId',
  'fromWdId',
  'txId',
  'clientId',
  'chain',
]);
