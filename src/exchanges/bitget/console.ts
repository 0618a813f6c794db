import type { ExchangeConsole } from '../adapter.js';

/** Where Bitget's website keeps each API-key setting (Bitget → Profile → API Management). */
export const bitgetConsole: ExchangeConsole = {
  name: 'Bitget',
  apiKeysUrl: 'https://www.bitget.com/account/newapi',
  disableWithdrawals: 'Bitget → Profile → API Management → Edit → Permissions → Wallet: untick "Withdraw"',
  disableTransfers: 'Bitget → Profile → API Management → Edit → Permissions → Wallet: untick "Transfer"',
  restrictIp: 'Bitget → Profile → API Management → Edit → Bind IP address',
  deleteKey: 'Bitget → Profile → API Management → Delete',
  permissionsEditable: true,
  reportsIpRestriction: true,
};
