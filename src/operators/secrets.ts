/**
 * The random values the operators domain hands out once (session ids, CSRF tokens, API tokens,
 * recovery and enrolment codes) and the one way they are stored: SHA-256 hex. They are 128+
 * bits of randomness, so a fast hash is enough (no dictionary to guess from).
 */
import { createHash, randomBytes } from 'node:crypto';
import { randomToken } from '../core/index.js';

export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');

/** 32 random bytes, base64url: session ids and CSRF tokens. */
export const randomSecret = (): string => randomBytes(32).toString('base64url');

/** `kwt_` + 40 characters: an API token as the client sends it (`Authorization: Bearer kwt_…`). */
export const newApiToken = (): string => `kwt_${randomToken(40)}`;

/** A recovery code as shown to the operator: four groups of five, easy to copy from paper. */
export function newRecoveryCode(): string {
  const raw = randomToken(20).toLowerCase();
  return raw.match(/.{5}/g)?.join('-') ?? raw;
}

/** An enrolment code, printed once by `operator add` or returned once by POST /operators. */
export const newEnrolmentCode = (): string => `kwe_${randomToken(32)}`;

/** Normalise a typed recovery code (case, spaces, dashes) before hashing it. */
export const normaliseRecoveryCode = (code: string): string => code.toLowerCase().replace(/[\s-]/g, '');
