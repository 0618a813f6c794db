/**
 * Operator password hashing: argon2id through @node-rs/argon2 (it installs from npm with its
 * prebuilt binary on Node 20, so no compiler and no fallback to scrypt was needed). Parameters
 * follow OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane); the PHC string records them, so
 * raising them later still verifies old hashes.
 */
import { hash, type Options, verify } from '@node-rs/argon2';

/** Algorithm.Argon2id: the package's const enum cannot be imported under isolatedModules. */
const ARGON2ID = 2 as Options['algorithm'];

const OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** False on a wrong password and on a malformed stored hash (fail closed). */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/**
 * A hash to verify against when the account does not exist, so an unknown name costs the same
 * argon2 work as a known one and its answer cannot be told apart by time.
 */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('keywarden-no-such-operator');
  return dummy;
}
