/** KuCoin keys in CCXT's fields: apiKey, secret and password (the API passphrase). */
import { randomToken } from '../../core/index.js';
import type { Credential } from '../adapter.js';
import { issueSharedSecretCredential, requireKeyAndSecret, requirePassphrase } from '../shared-secret.js';

export function validateKucoinCredential(credential: Credential): void {
  requireKeyAndSecret('kucoin', credential);
  requirePassphrase('kucoin', credential);
}

/** A drop-in client credential: the bot keeps CCXT's own KuCoin signing with these three. */
export const issueKucoinClientCredential = () => issueSharedSecretCredential(32, randomToken(40), 24);
