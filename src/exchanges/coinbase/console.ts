/** Where an operator finds each Coinbase key setting in the web console (posture and incident guidance). */
import type { ExchangeConsole } from '../adapter.js';

export const COINBASE_CONSOLE: ExchangeConsole = {
  name: 'Coinbase',
  apiKeysUrl: 'https://portal.cdp.coinbase.com/projects/api-keys',
  disableWithdrawals:
    'Coinbase Developer Platform → API Keys → Create API key with only "View" and "Trade" ("Transfer" unticked); permissions cannot be edited on an existing key',
  disableTransfers:
    'Coinbase Developer Platform → API Keys → Create API key with only "View" and "Trade" ("Transfer" unticked); permissions cannot be edited on an existing key',
  restrictIp: 'Coinbase Developer Platform → API Keys → Configure → Edit → API restrictions → IP allowlist',
  deleteKey: 'Coinbase Developer Platform → API Keys → Delete',
  permissionsEditable: false,
  reportsIpRestriction: false,
};
