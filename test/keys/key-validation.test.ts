import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeywardenError } from '../../src/core/index.js';
import { validateCredential } from '../../src/keys/index.js';

function rejectionOf(exchange: string, cred: { apiKey: string; secret: string; password?: string }): string {
  try {
    validateCredential(exchange, cred);
  } catch (err) {
    expect(err).toBeInstanceOf(KeywardenError);
    return (err as KeywardenError).message;
  }
  return 'accepted';
}

describe('key registration validates credentials with the adapter, not a copy of its rules', () => {
  it('accepts a base64 Ed25519 Coinbase CDP secret (a PEM-only copy refused it)', () => {
    const cred = { apiKey: 'organizations/o1/apiKeys/k1', secret: randomBytes(64).toString('base64') };
    expect(rejectionOf('coinbase', cred)).toBe('accepted');
  });

  it('accepts a legacy HMAC Coinbase secret', () => {
    expect(rejectionOf('coinbase', { apiKey: 'legacy-key-id', secret: 'bGVnYWN5LWhtYWMtc2VjcmV0' })).toBe(
      'accepted',
    );
  });

  it('accepts an EC P-256 PEM Coinbase secret', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(rejectionOf('coinbase', { apiKey: 'organizations/o1/apiKeys/k2', secret: pem })).toBe('accepted');
  });

  it("passes on the adapter's own one-line reason", () => {
    const message = rejectionOf('coinbase', { apiKey: 'organizations/o1/apiKeys/k3', secret: 'not-a-key' });
    expect(message).toBe('coinbase: CDP key secret must be an EC PEM or a base64 Ed25519 key');
    expect(rejectionOf('kraken', { apiKey: 'k', secret: 'not base64!' })).toBe(
      'kraken secret must be base64 (as Kraken issues it)',
    );
  });

  it('names a missing field and an unknown exchange', () => {
    expect(rejectionOf('okx', { apiKey: 'k', secret: 's' })).toBe(
      'Missing credential field for okx: password',
    );
    expect(rejectionOf('mtgox', { apiKey: 'k', secret: 's' })).toBe('Unknown exchange: mtgox');
  });
});
