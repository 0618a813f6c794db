import { createHash } from 'node:crypto';
import { BIP39_ENGLISH } from './bip39-english.js';

const INDEX = new Map(BIP39_ENGLISH.map((word, i) => [word, i]));
const LENGTHS = [24, 21, 18, 15, 12];

/**
 * True when `words` is a BIP-39 English mnemonic with a valid checksum (ordinary prose almost
 * never is). Words in strictly ascending list order are refused: that is a copy of the word list
 * itself, where one run of 12 in 16 passes the 4-bit checksum by chance, while a generated
 * mnemonic is in that order with probability 1/12! (repeats, as in test vectors, still count).
 */
export function isBip39Mnemonic(words: readonly string[]): boolean {
  if (!LENGTHS.includes(words.length)) return false;
  let bits = '';
  let ascending = true;
  let previous = -1;
  for (const word of words) {
    const index = INDEX.get(word);
    if (index === undefined) return false;
    if (index <= previous) ascending = false;
    previous = index;
    bits += index.toString(2).padStart(11, '0');
  }
  if (ascending) return false;
  const checksumBits = words.length / 3;
  const entropyBits = bits.length - checksumBits;
  const entropy = Buffer.alloc(entropyBits / 8);
  for (let i = 0; i < entropy.length; i++) entropy[i] = Number.parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const hash = createHash('sha256').update(entropy).digest();
  const expected = Array.from(hash.subarray(0, 1), (b) => b.toString(2).padStart(8, '0'))
    .join('')
    .slice(0, checksumBits);
  return bits.slice(entropyBits) === expected;
}

const WORD = /[a-z]{3,8}/g;

/** Runs of 12–24 BIP-39 words on one line whose checksum holds. */
export function findMnemonics(line: string): Array<{ index: number; secret: string }> {
  const tokens: Array<{ word: string; index: number }> = [];
  for (const m of line.matchAll(WORD)) tokens.push({ word: m[0], index: m.index });
  const found: Array<{ index: number; secret: string }> = [];
  let i = 0;
  while (i + 12 <= tokens.length) {
    let matched = 0;
    for (const n of LENGTHS) {
      const slice = tokens.slice(i, i + n);
      if (slice.length < n) continue;
      // Words must be adjacent (only whitespace between) to count as one phrase.
      const adjacent = slice.every((t, k) => {
        const next = slice[k + 1];
        return next === undefined || /^[ \t]+$/.test(line.slice(t.index + t.word.length, next.index));
      });
      if (adjacent && isBip39Mnemonic(slice.map((t) => t.word))) {
        const first = slice[0];
        const last = slice[n - 1];
        if (first && last)
          found.push({ index: first.index, secret: line.slice(first.index, last.index + last.word.length) });
        matched = n;
        break;
      }
    }
    i += matched > 0 ? matched : 1;
  }
  return found;
}
