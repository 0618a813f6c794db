/** KuCoin keys in CCXT's fields: apiKey, secret and password (the API passphrase). */
import { randomToken } from '../../core/index.js';
import { type Credential, CredentialError, type IssuedClientCredential } from '../adapter.js';
import { hasSpaceOrControl } from '../http-text.js';

export function validateKucoinCredential(credential: Credential): void {
  if (!credential.apiKey) throw new CredentialError('kucoin credential needs apiKey');
  if (!credential.secret) throw new CredentialError('kucoin credential needs secret');
  if (hasSpaceOrControl(credential.apiKey) || hasSpaceOrControl(credential.secret)) {
    throw new CredentialError('kucoin apiKey and secret must not contain spaces or control characters');
  }
  if (!credential.password)
    throw new CredentialError('kucoin credential needs password (the API passphrase)');
}

/** A drop-in client credential: the bot keeps CCXT's own KuCoin signing with these three. */
export function issueKucoinClientCredential(): IssuedClientCredential {
  const credential = { apiKey: `kw_${randomToken(32)}`, secret: randomToken(40), password: randomToken(24) };
  return {
    credential,
    verifier: { apiKey: credential.apiKey, secret: credential.secret, password: credential.password },
  };
}
