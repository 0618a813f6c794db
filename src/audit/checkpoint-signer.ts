import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
} from 'node:crypto';

/** Signs audit checkpoints. In production the private key lives in the vault; only the public half is stored in the log. */
export interface CheckpointSigner {
  publicKeyPem: string;
  /** Base64 Ed25519 signature over `data`. */
  sign(data: Buffer): string;
}

export interface CheckpointKeyPair {
  publicKeyPem: string;
  /** PKCS#8 PEM; a secret — keep it in the vault. */
  privateKeyPem: string;
}

export function createCheckpointKey(): CheckpointKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export function createSigner(privatePem: string): CheckpointSigner {
  const key = createPrivateKey(privatePem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('checkpoint key must be Ed25519');
  const publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  return { publicKeyPem, sign: (data) => sign(null, data, key).toString('base64') };
}

/** SHA-256 hex of the public key's SPKI DER: what operators pin. */
export function publicKeyFingerprint(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

export function verifySignature(publicKeyPem: string, data: Buffer, signatureB64: string): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, data, key, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}
