/** Where an operator finds each Bybit key setting in the web console (posture and incident guidance). */
import type { ExchangeConsole } from '../adapter.js';

export const BYBIT_CONSOLE: ExchangeConsole = {
  name: 'Bybit',
  apiKeysUrl: 'https://www.bybit.com/app/user/api-management',
  disableWithdrawals: 'Bybit → API Management → Edit → Wallet → untick "Withdrawal"',
  disableTransfers:
    'Bybit → API Management → Edit → Wallet → untick "Account Transfer" and "Subaccount Transfer"',
  restrictIp:
    'Bybit → API Management → Edit → "Only IPs with permissions granted are allowed to access the OpenAPI"',
  deleteKey: 'Bybit → Account → API Management → Delete',
  permissionsEditable: true,
  reportsIpRestriction: true,
};
