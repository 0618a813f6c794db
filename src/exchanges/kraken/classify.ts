/** What a Kraken request does: the private method's action, its orders and any withdrawal. */
import type { Action } from '../../core/index.js';
import type { Classification, ExchangeRequest } from '../adapter.js';
import { toNumber } from '../params.js';
import { withdrawalIntent } from '../withdrawal-intent.js';
import { type Body, parseBody, privateMethod, scalar } from './parse.js';
import { JSON_ONLY, readPrivate } from './requests.js';
import { krakenAsset, krakenSymbol } from './symbols.js';

const PUBLIC_PREFIX = '/0/public/';

const ACTIONS: Record<string, Action> = {
  Balance: 'read',
  BalanceEx: 'read',
  TradeBalance: 'read',
  OpenOrders: 'read',
  ClosedOrders: 'read',
  QueryOrders: 'read',
  TradesHistory: 'read',
  QueryTrades: 'read',
  OpenPositions: 'read',
  Ledgers: 'read',
  QueryLedgers: 'read',
  TradeVolume: 'read',
  DepositMethods: 'read',
  DepositAddresses: 'read',
  DepositStatus: 'read',
  WithdrawStatus: 'read',
  WithdrawMethods: 'read',
  WithdrawAddresses: 'read',
  WithdrawInfo: 'read',
  GetWebSocketsToken: 'read',
  GetApiKeyInfo: 'read',
  OrderAmends: 'read',
  ExportStatus: 'read',
  RetrieveExport: 'read',
  'Earn/Strategies': 'read',
  'Earn/Allocations': 'read',
  'Earn/AllocateStatus': 'read',
  'Earn/DeallocateStatus': 'read',
  AddOrder: 'trade',
  AddOrderBatch: 'trade',
  EditOrder: 'trade',
  AmendOrder: 'trade',
  CancelOrder: 'cancel',
  CancelAll: 'cancel',
  CancelAllOrdersAfter: 'cancel',
  CancelOrderBatch: 'cancel',
  Withdraw: 'withdraw',
  WithdrawCancel: 'withdraw',
  WalletTransfer: 'transfer',
  AccountTransfer: 'transfer',
  'Earn/Allocate': 'transfer',
  'Earn/Deallocate': 'transfer',
  Stake: 'transfer',
  Unstake: 'transfer',
  CreateSubaccount: 'account-admin',
  AddExport: 'account-admin',
  RemoveExport: 'account-admin',
};

export function classifyKraken(request: ExchangeRequest): Classification {
  const path = request.path.replace(/\/+$/, '');
  const verb = request.method.toUpperCase();
  const endpoint = `${verb} ${path}`;
  if (path.startsWith(PUBLIC_PREFIX)) return { action: 'public', endpoint, orders: [] };
  if (path.startsWith('/funding/'))
    return {
      action: path === '/funding/v1/withdrawals' && verb === 'POST' ? 'withdraw' : 'unknown',
      endpoint,
      orders: [],
      rejected: 'the Funding API is not supported by keywarden (its header nonce and query are not checked)',
    };
  const name = privateMethod(path);
  const action: Action = name !== undefined && verb === 'POST' ? (ACTIONS[name] ?? 'unknown') : 'unknown';
  const out: Classification = { action, endpoint, orders: [] };
  if (action === 'unknown' || name === undefined) return out;
  const parsed = request.body === '' ? undefined : parseBody(request);
  if (parsed && !parsed.ok) return { ...out, rejected: parsed.message };
  const body: Body = parsed?.ok ? parsed.body : { kind: 'form', fields: {} };
  if (body.kind === 'form' && JSON_ONLY.has(name))
    return { ...out, rejected: `${name} takes a JSON body (as Kraken documents it)` };
  const read = readPrivate(name, body.fields, krakenSymbol);
  if (!read) return { ...out, rejected: `${name}: no request schema` };
  if (!read.ok) return { ...out, rejected: read.message };
  out.orders = read.read.orders;
  if (read.read.margin) out.action = 'margin';
  if (read.read.leverage !== undefined) out.leverage = read.read.leverage;
  if (action === 'withdraw' || action === 'transfer') {
    const f = read.read.fields;
    const asset = scalar(f.asset);
    out.withdrawal = withdrawalIntent({
      coin: asset === undefined ? undefined : krakenAsset(asset),
      amount: toNumber(f.amount),
      // Kraken withdraws only to pre-registered address names (`key`); the name stands in for the address.
      address: scalar(f.address) ?? scalar(f.key) ?? scalar(f.to),
    });
  }
  return out;
}
