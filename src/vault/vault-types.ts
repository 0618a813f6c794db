/**
 * The vault's public contract (implemented in ./vault.ts). Everything secret is encrypted
 * under a per-record data key (AES-256-GCM), data keys are wrapped by the master key, and
 * the record's identity is bound as associated data.
 */

/** Identity bound into the ciphertext as AAD: a ciphertext moved to another row fails to decrypt. */
export interface RecordIdentity {
  /** Table-qualified record id, e.g. `credential:7f3a…` or `client:…`. */
  id: string;
  version: number;
  exchange: string;
  label: string;
}

/** How the master key is obtained. Secrets never come from argv. */
export type MasterKeySource =
  | { kind: 'passphrase'; passphrase: string }
  | { kind: 'key-file'; path: string }
  /** The base64 key itself, already read by the caller (the unseal endpoint never opens files). */
  | { kind: 'key'; base64: string }
  | { kind: 'env'; variable: string };

export interface SealedBlob {
  /** Serialised envelope (wrapped data key, nonce, ciphertext, tag, master-key id); opaque to callers. */
  envelope: string;
}

export interface Vault {
  isSealed(): boolean;
  /** Derive/load the master key and check it against the stored key-check value; throws KeywardenError('wrong_master_key'). */
  unseal(source: MasterKeySource): Promise<void>;
  seal(): void;
  /** Throws KeywardenError('vault_sealed') while sealed. */
  encrypt(identity: RecordIdentity, plaintext: Buffer): SealedBlob;
  /** Throws KeywardenError('decrypt_failed') on any tampering or identity mismatch. */
  decrypt(identity: RecordIdentity, blob: SealedBlob): Buffer;
  /** Keyed fingerprint (HMAC-SHA256 under a key derived from the master key, hex) of a public identifier such as an api-key id. */
  fingerprint(value: string): string;
  /** Keyed HMAC for audit records (separate derived key from `fingerprint`). */
  auditHmac(value: string): string;
}
