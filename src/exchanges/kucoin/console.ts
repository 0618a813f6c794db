import type { ExchangeConsole } from '../adapter.js';

/**
 * Where KuCoin's website keeps each API-key setting. UNCONFIRMED: the menu wording (from KuCoin's
 * API-key guide); KuCoin lets a key's permissions and IP restriction be edited after creation.
 */
export const kucoinConsole: ExchangeConsole = {
  name: 'KuCoin',
  apiKeysUrl: 'https://www.kucoin.com/account/api',
  disableWithdrawals: 'KuCoin → Account → API Management → Edit → API Permissions → untick "Transfer"',
  disableTransfers:
    'KuCoin → Account → API Management → Edit → API Permissions → untick "Transfer" and "InnerTransfer"',
  restrictIp: 'KuCoin → Account → API Management → Edit → IP Restriction → "Yes"',
  deleteKey: 'KuCoin → Account → API Management → Delete',
  permissionsEditable: true,
  reportsIpRestriction: true,
};
