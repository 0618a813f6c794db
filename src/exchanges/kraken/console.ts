/** Where an operator finds each Kraken key setting in the web console (posture and incident guidance). */
import type { ExchangeConsole } from '../adapter.js';

export const KRAKEN_CONSOLE: ExchangeConsole = {
  name: 'Kraken',
  apiKeysUrl: 'https://pro.kraken.com/app/settings/api',
  disableWithdrawals: 'Kraken → Settings → API → Edit key → Funds permissions → untick "Withdraw Funds"',
  disableTransfers:
    'Kraken → Settings → API → Edit key → Funds permissions → untick "Withdraw Funds" (account transfers need it)',
  restrictIp: 'Kraken → Settings → API → Edit key → Advanced settings → IP allowlist',
  deleteKey: 'Kraken → Settings → API → Delete key',
  permissionsEditable: true,
  reportsIpRestriction: true,
};
