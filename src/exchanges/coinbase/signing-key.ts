/**
 * Which Coinbase signing scheme a stored secret is (ES256 PEM, base64 Ed25519, legacy HMAC),
 * and fresh CDP-style key pairs for the credentials keywarden issues to its clients.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type Credential, CredentialError } from '../adapter.js';

// PKCS#8 DER prefix for an Ed25519 private key (RFC 8410); the 32-byte seed follows it.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export type CoinbaseSigningKey =
  | { kind: 'es256'; key: KeyObject }
  | { kind: 'eddsa'; key: KeyObject }
  | { kind: 'hmac'; secret: string };

function isPem(secret: string): boolean {
  return secret.trimStart().startsWith('-----BEGIN');
}

/** A base64 Ed25519 CDP secret: 64 bytes (seed || public key) as the portal shows it, or a bare 32-byte seed. */
function ed25519Seed(secret: string): Buffer | undefined {
  const text = secret.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== 64 && bytes.length !== 32) return undefined;
  return bytes.subarray(0, 32);
}

/**
 * Decide the scheme the way CCXT and the SDKs do: a PEM is ES256, a base64 string of 32/64
 * bytes is Ed25519 (only the CDP portal issues those), anything else is a legacy HMAC secret.
 */
export function loadSigningKey(credential: Credential): CoinbaseSigningKey {
  const { apiKey, secret } = credential;
  if (typeof apiKey !== 'string' || apiKey.trim() === '')
    throw new CredentialError('coinbase: apiKey is required');
  if (typeof secret !== 'string' || secret.trim() === '')
    throw new CredentialError('coinbase: secret is required');
  if (isPem(apiKey)) {
    throw new CredentialError('coinbase: apiKey must be the key name (organizations/…/apiKeys/…), not a PEM');
  }
  if (isPem(secret)) {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: secret.replace(/\\n/g, '\n'), format: 'pem' });
    } catch {
      throw new CredentialError('coinbase: secret is not a readable EC private key PEM');
    }
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
      return { kind: 'es256', key };
    }
    if (key.asymmetricKeyType === 'ed25519') return { kind: 'eddsa', key };
    throw new CredentialError('coinbase: secret PEM must be an EC P-256 (ES256) private key');
  }
  const seed = ed25519Seed(secret);
  if (seed) {
    const key = createPrivateKey({
      key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    return { kind: 'eddsa', key };
  }
  if (apiKey.includes('organizations/')) {
    throw new CredentialError('coinbase: CDP key secret must be an EC PEM or a base64 Ed25519 key');
  }
  return { kind: 'hmac', secret };
}

/** A fresh EC P-256 CDP-style key pair: the private SEC1 PEM is what CCXT's ES256 signer reads. */
export function generateCdpKeyPair(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privatePem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
