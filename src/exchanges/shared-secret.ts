/**
 * Credentials of the shared-secret (HMAC) schemes: the checks they all make on a pasted key, and
 * the drop-in client credential keywarden issues, whose verifier keeps the same secret the bot
 * signs with. The exchange passes its own name and lengths.
 */
import { randomToken } from '../core/index.js';
import { type Credential, CredentialError, type IssuedClientCredential } from './adapter.js';
import { hasSpaceOrControl } from './http-text.js';

/** apiKey and secret present, and free of spaces and control characters (no exchange issues those). */
export function requireKeyAndSecret(exchange: string, credential: Credential): void {
  if (!credential.apiKey) throw new CredentialError(`${exchange} credential needs apiKey`);
  if (!credential.secret) throw new CredentialError(`${exchange} credential needs secret`);
  if (hasSpaceOrControl(credential.apiKey) || hasSpaceOrControl(credential.secret)) {
    throw new CredentialError(`${exchange} apiKey and secret must not contain spaces or control characters`);
  }
}

/** For an exchange whose keys carry a passphrase, in CCXT's `password` field. */
export function requirePassphrase(exchange: string, credential: Credential): void {
  if (!credential.password) {
    throw new CredentialError(`${exchange} credential needs password (the API passphrase)`);
  }
}

/** `kw_` and `apiKeyChars` random characters, `secret`, and a passphrase of `passwordChars` when given. */
export function issueSharedSecretCredential(
  apiKeyChars: number,
  secret: string,
  passwordChars?: number,
): IssuedClientCredential {
  const credential: Credential = { apiKey: `kw_${randomToken(apiKeyChars)}`, secret };
  if (passwordChars !== undefined) credential.password = randomToken(passwordChars);
  return { credential, verifier: { ...credential } };
}
