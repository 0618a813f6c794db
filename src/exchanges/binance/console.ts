/** Where an operator finds each Binance key setting in the web console (posture and incident guidance). */
import type { ExchangeConsole } from '../adapter.js';

export const BINANCE_CONSOLE: ExchangeConsole = {
  name: 'Binance',
  apiKeysUrl: 'https://www.binance.com/en/my/settings/api-management',
  disableWithdrawals: 'Binance → API Management → Edit restrictions → uncheck "Enable Withdrawals"',
  disableTransfers:
    'Binance → API Management → Edit restrictions → uncheck "Permits Universal Transfer" and "Enable Internal Transfer"',
  restrictIp: 'Binance → API Management → Edit restrictions → "Restrict access to trusted IPs only"',
  deleteKey: 'Binance → Account → API Management → Delete',
  permissionsEditable: true,
  reportsIpRestriction: true,
};
