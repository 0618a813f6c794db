import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';

/**
 * Validity checks for wallet key formats (Node's own crypto only): a random string of the right
 * alphabet and length almost never passes them, which is what keeps the wallet rules precise.
 */

const B58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const B58_INDEX = new Map([...B58_ALPHABET].map((c, i) => [c, i]));

/** Bytes of a base58 string (Bitcoin alphabet), or undefined when a character is outside it. */
export function base58Decode(text: string): Buffer | undefined {
  let value = 0n;
  for (const c of text) {
    const digit = B58_INDEX.get(c);
    if (digit === undefined) return undefined;
    value = value * 58n + BigInt(digit);
  }
  const hex = value === 0n ? '' : value.toString(16);
  const body = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '1') zeros++;
  return Buffer.concat([Buffer.alloc(zeros), body]);
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/** The payload of a base58check string whose 4-byte double-SHA-256 checksum holds. */
export function base58CheckDecode(text: string): Buffer | undefined {
  const bytes = base58Decode(text);
  if (bytes === undefined || bytes.length < 5) return undefined;
  const payload = bytes.subarray(0, bytes.length - 4);
  const checksum = sha256(sha256(payload)).subarray(0, 4);
  return checksum.equals(bytes.subarray(bytes.length - 4)) ? payload : undefined;
}

/** Order of the secp256k1 group: a private key is an integer in [1, n - 1]. */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Whether 32 bytes (or 64 hex digits) are a valid secp256k1 private key. */
export function isSecp256k1Key(key: Uint8Array | string): boolean {
  const hex = typeof key === 'string' ? key.replace(/^0x/i, '') : Buffer.from(key).toString('hex');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const k = BigInt(`0x${hex}`);
  return k > 0n && k < SECP256K1_N;
}

/** Bitcoin WIF: 0x80 (mainnet) or 0xef (testnet), the 32-byte key, optionally 0x01 (compressed). */
export function isWif(text: string): boolean {
  const p = base58CheckDecode(text);
  if (p === undefined || (p[0] !== 0x80 && p[0] !== 0xef)) return false;
  if (p.length !== 33 && !(p.length === 34 && p[33] === 0x01)) return false;
  return isSecp256k1Key(p.subarray(1, 33));
}

/** BIP-32 extended private key versions: xprv, tprv, yprv, zprv, Yprv, Zprv, uprv, vprv, Uprv, Vprv. */
const XPRV_VERSIONS = new Set([
  0x0488ade4, 0x04358394, 0x049d7878, 0x04b2430c, 0x0295b005, 0x02aa7a99, 0x044a4e28, 0x045f18bc, 0x024285b5,
  0x02575048,
]);

/** A BIP-32 extended private key: 78 bytes, a private version, 0x00 then a secp256k1 key at 45. */
export function isExtendedPrivateKey(text: string): boolean {
  const p = base58CheckDecode(text);
  if (p === undefined || p.length !== 78) return false;
  return XPRV_VERSIONS.has(p.readUInt32BE(0)) && p[45] === 0 && isSecp256k1Key(p.subarray(46, 78));
}

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const ED25519_PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A Solana keypair: 64 bytes, the Ed25519 seed then its public key. The public half must be the
 * one the seed derives, so random bytes, digests and signatures (also 64 bytes) never pass.
 */
export function isEd25519Keypair(bytes: Uint8Array): boolean {
  if (bytes.length !== 64) return false;
  const seed = bytes.subarray(0, 32);
  if (seed.every((b) => b === seed[0])) return false;
  const key = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const x = createPublicKey(key).export({ format: 'jwk' }).x;
  return x !== undefined && Buffer.from(x, 'base64url').equals(Buffer.from(bytes.subarray(32)));
}

/** A JSON array of 64 numbers (`[12,255,...]`) that is a Solana keypair. */
export function isByteArrayKeypair(list: string): boolean {
  const values = list.split(',').map((v) => Number(v.trim()));
  if (values.length !== 64 || values.some((v) => !Number.isInteger(v) || v < 0 || v > 255)) return false;
  return isEd25519Keypair(Uint8Array.from(values));
}

/** A base58 string of a 64-byte Solana keypair (what Phantom exports as a "private key"). */
export function isBase58Keypair(text: string): boolean {
  const bytes = base58Decode(text);
  return bytes !== undefined && isEd25519Keypair(bytes);
}

/**
 * A remark on the line that the key is a published test vector or a tool's well-known
 * development key (hardhat/anvil/ganache default accounts): public, so not a leak.
 */
export const TEST_VECTOR_REMARK =
  /test[ _-]?vectors?|(?:hardhat|anvil|ganache|foundry)[ _-](?:default|test|dev)|well[ -]known (?:test|dev)|publicly[ -]known/i;
