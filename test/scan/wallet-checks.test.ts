/**
 * The validity checks behind the wallet rules, each with a positive control: a key made here at
 * run time passes, and the same key with the property the check guards broken does not.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  base58CheckDecode,
  base58Decode,
  isBase58Keypair,
  isByteArrayKeypair,
  isExtendedPrivateKey,
  isSecp256k1Key,
  isWif,
} from '../../src/scan/rules/wallet-checks.js';
import { scanText } from '../../src/scan/scan-text.js';
import { base58, base58check } from '../fixtures/leaks/base58.mjs';

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex64 = (v: bigint) => v.toString(16).padStart(64, '0');
const check = base58check;
const key32 = (v: bigint) => Buffer.from(hex64(v), 'hex');
function randomKey(): Buffer {
  for (;;) {
    const k = randomBytes(32);
    if (isSecp256k1Key(k)) return k;
  }
}
function xprv(version: number, key: Buffer): string {
  const b = Buffer.alloc(78);
  b.writeUInt32BE(version, 0);
  randomBytes(41).copy(b, 4);
  b[45] = 0;
  key.copy(b, 46);
  return check(b);
}
function solanaKeypair(): Buffer {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  return Buffer.concat([Buffer.from(jwk.d ?? '', 'base64url'), Buffer.from(jwk.x ?? '', 'base64url')]);
}

describe('wallet key checks', () => {
  it('base58 round-trips leading zero bytes, and base58check refuses a broken checksum', () => {
    const bytes = Buffer.concat([Buffer.alloc(2), randomBytes(30)]);
    expect(base58Decode(base58(bytes))?.equals(bytes)).toBe(true);
    const payload = randomBytes(21);
    const good = check(payload);
    expect(base58CheckDecode(good)?.equals(payload)).toBe(true);
    const bad = `${good.slice(0, -1)}${good.endsWith('2') ? '3' : '2'}`;
    expect(base58CheckDecode(bad)).toBeUndefined();
    expect(base58Decode('0OIl')).toBeUndefined();
  });

  it('secp256k1 keys are 1 … n-1', () => {
    expect(isSecp256k1Key(hex64(1n))).toBe(true);
    expect(isSecp256k1Key(`0x${hex64(N - 1n)}`)).toBe(true);
    expect(isSecp256k1Key(hex64(0n))).toBe(false);
    expect(isSecp256k1Key(hex64(N))).toBe(false);
    expect(isSecp256k1Key(hex64(N + 1n))).toBe(false);
  });

  it('WIF needs the version byte, the compression flag, the checksum and a key in range', () => {
    const k = randomKey();
    expect(isWif(check(Buffer.concat([Buffer.from([0x80]), k, Buffer.from([1])])))).toBe(true);
    expect(isWif(check(Buffer.concat([Buffer.from([0xef]), k])))).toBe(true);
    expect(isWif(check(Buffer.concat([Buffer.from([0x00]), k])))).toBe(false);
    expect(isWif(check(Buffer.concat([Buffer.from([0x80]), k, Buffer.from([2])])))).toBe(false);
    expect(isWif(check(Buffer.concat([Buffer.from([0x80]), key32(N)])))).toBe(false);
  });

  it('extended private keys need a private version, 0x00 before the key and a key in range', () => {
    expect(isExtendedPrivateKey(xprv(0x0488ade4, randomKey()))).toBe(true);
    expect(isExtendedPrivateKey(xprv(0x04b2430c, randomKey()))).toBe(true);
    // xpub version: a public extended key.
    expect(isExtendedPrivateKey(xprv(0x0488b21e, randomKey()))).toBe(false);
    expect(isExtendedPrivateKey(xprv(0x0488ade4, key32(0n)))).toBe(false);
  });

  it('a Solana keypair is an Ed25519 seed followed by its own public key', () => {
    const pair = solanaKeypair();
    expect(isByteArrayKeypair([...pair].join(','))).toBe(true);
    expect(isBase58Keypair(base58(pair))).toBe(true);
    const other = solanaKeypair();
    const mixed = Buffer.concat([pair.subarray(0, 32), other.subarray(32)]);
    expect(isByteArrayKeypair([...mixed].join(','))).toBe(false);
    expect(isBase58Keypair(base58(randomBytes(64)))).toBe(false);
    expect(isByteArrayKeypair([...pair.subarray(0, 63), 256].join(','))).toBe(false);
  });
});

describe('wallet rules', () => {
  const ids = (text: string) => scanText(text, { file: 'x' }).map((f) => f.ruleId);

  it('a test-vector remark silences the line, and only that line', () => {
    const k = randomKey().toString('hex');
    expect(ids(`PRIVATE_KEY=0x${k}\n`)).toEqual(['evm-private-key']);
    expect(ids(`PRIVATE_KEY=0x${k} # test vector\n`)).toEqual([]);
    expect(ids(`# test vector below\nPRIVATE_KEY=0x${k}\n`)).toEqual(['evm-private-key']);
  });

  it('64 hex digits need a key name: a transaction hash in a wallet file is silent', () => {
    const k = randomKey().toString('hex');
    expect(ids(`const wallet = load();\nconst txHash = '0x${k}';\n`)).toEqual([]);
    expect(ids(`const walletKey = '0x${k}';\n`)).toEqual(['evm-private-key']);
  });

  it('a Solana keypair file is found without any keyword; random bytes of the same shape are not', () => {
    expect(ids(`${JSON.stringify([...solanaKeypair()])}\n`)).toEqual(['solana-keypair']);
    expect(ids(`${JSON.stringify([...randomBytes(64)])}\n`)).toEqual([]);
  });
});
