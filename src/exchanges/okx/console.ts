/** Where an operator finds each OKX key setting in the web console (posture and incident guidance). */
import type { ExchangeConsole } from '../adapter.js';

export const OKX_CONSOLE: ExchangeConsole = {
  name: 'OKX',
  apiKeysUrl: 'https://www.okx.com/account/my-api',
  disableWithdrawals: 'OKX → Profile → API → Edit → Permissions → untick "Withdraw"',
  // OKX has no separate transfer permission: "Trade" includes funding transfers.
  disableTransfers:
    'OKX grants funding transfers with "Trade": run the bot on a sub-account (OKX → Sub-accounts) whose API key has only "Read" and "Trade", so a transfer cannot reach other funds',
  restrictIp: 'OKX → Profile → API → Edit → IP address',
  deleteKey: 'OKX → Profile → API → Delete',
  permissionsEditable: true,
  reportsIpRestriction: true,
};
