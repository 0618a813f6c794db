/**
 * TOTP (RFC 6238) through `otpauth`: SHA-1, 6 digits, 30-second steps, accepted one step either
 * side for clock drift. `verify` answers the time-step the code matched, so the caller stores it
 * and refuses that step (and any earlier one) next time: a code is good once.
 */
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
const WINDOW = 1;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secretBase32: string, label = 'operator'): TOTP {
  return new TOTP({
    issuer: 'keywarden',
    label,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The otpauth:// URI an authenticator app scans. */
export function totpUri(secretBase32: string, name: string): string {
  return totp(secretBase32, name).toString();
}

/** The code for `atMs` (tests and the enrolment check compute codes the way an app does). */
export function totpCode(secretBase32: string, atMs: number): string {
  return totp(secretBase32).generate({ timestamp: atMs });
}

export const timeStep = (atMs: number): number => Math.floor(atMs / 1000 / TOTP_PERIOD_SECONDS);

/**
 * The time-step `code` belongs to, or undefined when it is wrong, malformed, or of a step at
 * or before `lastStep` (already used, or older than one that was).
 */
export function verifyTotp(
  secretBase32: string,
  code: string,
  atMs: number,
  lastStep: number | null,
): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totp(secretBase32).validate({ token: code, timestamp: atMs, window: WINDOW });
  if (delta === null) return undefined;
  const step = timeStep(atMs) + delta;
  if (lastStep !== null && step <= lastStep) return undefined;
  return step;
}
