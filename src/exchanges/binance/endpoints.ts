/** Which Binance endpoints keywarden knows, by the action each performs. */
import type { Classification } from '../adapter.js';

export type Action = Classification['action'];

const PUBLIC_GET = [
  '/api/v3/ping',
  '/api/v3/time',
  '/api/v3/exchangeInfo',
  '/api/v3/depth',
  '/api/v3/trades',
  '/api/v3/historicalTrades',
  '/api/v3/aggTrades',
  '/api/v3/klines',
  '/api/v3/uiKlines',
  '/api/v3/avgPrice',
  '/api/v3/ticker/24hr',
  '/api/v3/ticker/tradingDay',
  '/api/v3/ticker/price',
  '/api/v3/ticker/bookTicker',
  '/api/v3/ticker',
  '/sapi/v1/system/status',
];

const READ_GET = [
  '/api/v3/account',
  '/api/v3/openOrders',
  '/api/v3/order',
  '/api/v3/allOrders',
  '/api/v3/myTrades',
  '/api/v3/account/commission',
  '/api/v3/rateLimit/order',
  '/api/v3/orderList',
  '/api/v3/allOrderList',
  '/api/v3/openOrderList',
  '/api/v3/myPreventedMatches',
  '/api/v3/myAllocations',
  '/api/v3/order/amendments',
  '/api/v3/myFilters',
  '/sapi/v1/capital/config/getall',
  '/sapi/v1/capital/deposit/hisrec',
  '/sapi/v1/capital/withdraw/history',
  '/sapi/v1/capital/deposit/address',
  '/sapi/v1/asset/transfer',
  '/sapi/v1/account/apiRestrictions',
  '/sapi/v1/account/apiRestrictions/ipRestriction',
  '/sapi/v1/account/status',
  '/sapi/v1/account/apiTradingStatus',
  '/sapi/v1/asset/assetDetail',
  '/sapi/v1/asset/tradeFee',
  '/sapi/v3/asset/getUserAsset',
  '/sapi/v1/margin/allPairs',
  '/sapi/v1/margin/isolated/allPairs',
  '/sapi/v1/sub-account/subAccountApi/ipRestriction',
  '/sapi/v1/margin/account',
  '/sapi/v1/margin/isolated/account',
  '/sapi/v1/margin/order',
  '/sapi/v1/margin/openOrders',
  '/sapi/v1/margin/allOrders',
  '/sapi/v1/margin/myTrades',
  '/sapi/v1/margin/maxBorrowable',
  '/sapi/v1/margin/maxTransferable',
  '/sapi/v1/margin/borrow-repay',
  '/sapi/v1/margin/interestHistory',
  '/sapi/v1/convert/exchangeInfo',
  '/sapi/v1/convert/assetInfo',
  '/sapi/v1/convert/orderStatus',
  '/sapi/v1/convert/tradeFlow',
  '/sapi/v1/convert/limit/queryOpenOrders',
];

const TRADE = new Set([
  'POST /api/v3/order',
  'POST /api/v3/order/test',
  'POST /api/v3/order/cancelReplace',
  'PUT /api/v3/order/amend/keepPriority',
  'POST /api/v3/order/oco',
  'POST /api/v3/orderList/oco',
  'POST /api/v3/orderList/oto',
  'POST /api/v3/orderList/otoco',
  'POST /api/v3/orderList/opo',
  'POST /api/v3/orderList/opoco',
  'POST /api/v3/sor/order',
  'POST /api/v3/sor/order/test',
]);

const CANCEL = new Set([
  'DELETE /api/v3/order',
  'DELETE /api/v3/openOrders',
  'DELETE /api/v3/orderList',
  'DELETE /sapi/v1/margin/order',
  'DELETE /sapi/v1/margin/openOrders',
  'POST /sapi/v1/convert/limit/cancelOrder',
]);

/** Borrowing, repaying, leverage, and orders on the margin account (issue 10 #7). */
const MARGIN = new Set([
  'POST /sapi/v1/margin/order',
  'POST /sapi/v1/margin/order/oco',
  'POST /sapi/v1/margin/borrow-repay',
  'POST /sapi/v1/margin/loan',
  'POST /sapi/v1/margin/repay',
  'POST /sapi/v1/margin/max-leverage',
]);

const CONVERT = new Set([
  'POST /sapi/v1/convert/getQuote',
  'POST /sapi/v1/convert/acceptQuote',
  'POST /sapi/v1/convert/limit/placeOrder',
]);

const WITHDRAW = new Set([
  'POST /sapi/v1/capital/withdraw/apply',
  'POST /sapi/v1/localentity/withdraw/apply',
]);

const TRANSFER = new Set([
  'POST /sapi/v1/asset/transfer',
  'POST /sapi/v1/sub-account/universalTransfer',
  'POST /sapi/v1/sub-account/transfer/subToMaster',
  'POST /sapi/v1/sub-account/transfer/subToSub',
  'POST /sapi/v1/sub-account/futures/transfer',
  'POST /sapi/v1/sub-account/margin/transfer',
  'POST /sapi/v1/sub-account/futures/internalTransfer',
  'POST /sapi/v1/margin/transfer',
  'POST /sapi/v1/margin/isolated/transfer',
  'POST /sapi/v1/futures/transfer',
  'POST /sapi/v1/asset/dust',
  'POST /sapi/v1/managed-subaccount/withdraw',
  'POST /sapi/v1/managed-subaccount/deposit',
  'POST /sapi/v1/broker/transfer',
]);

const ACCOUNT_ADMIN = new Set([
  'POST /sapi/v1/sub-account/virtualSubAccount',
  'POST /sapi/v1/sub-account/subAccountApi/ipRestriction',
  'POST /sapi/v2/sub-account/subAccountApi/ipRestriction',
  'DELETE /sapi/v1/sub-account/subAccountApi/ipRestriction/ipList',
  'POST /sapi/v1/account/enableFastWithdrawSwitch',
  'POST /sapi/v1/account/disableFastWithdrawSwitch',
  'POST /sapi/v1/capital/deposit/credit-apply',
]);

export const USER_STREAM = ['/api/v3/userDataStream'];

export function baseAction(method: string, path: string): Action {
  const key = `${method} ${path}`;
  if (method === 'GET' && PUBLIC_GET.includes(path)) return 'public';
  if (method === 'GET' && READ_GET.includes(path)) return 'read';
  if (USER_STREAM.includes(path) && ['POST', 'PUT', 'DELETE'].includes(method)) return 'read';
  if (TRADE.has(key)) return 'trade';
  if (CANCEL.has(key)) return 'cancel';
  if (MARGIN.has(key)) return 'margin';
  if (CONVERT.has(key)) return 'convert';
  if (WITHDRAW.has(key)) return 'withdraw';
  if (TRANSFER.has(key)) return 'transfer';
  // Sub-account money movement is a family of paths; anything that transfers is treated as such.
  if (method !== 'GET' && path.startsWith('/sapi/') && /transfer/i.test(path)) return 'transfer';
  if (ACCOUNT_ADMIN.has(key)) return 'account-admin';
  return 'unknown';
}
