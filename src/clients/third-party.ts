/**
 * Third-party integrations: the checks a vendor's client must pass before and while it holds a
 * key (least privilege for its stated purpose, the vendor's own addresses, a review date).
 */

import { isCidr } from '../config/index.js';
import type { Action } from '../core/index.js';
import { KeywardenError } from '../core/index.js';
import { THIRD_PARTY_PURPOSES, type ThirdParty, type ThirdPartyPurpose } from './client-types.js';

/** The actions each stated purpose needs; `other` states none, so least privilege cannot be judged. */
export const PURPOSE_ACTIONS: Readonly<Record<ThirdPartyPurpose, readonly Action[] | undefined>> =
  Object.freeze({
    portfolio: ['public', 'read'],
    tax: ['public', 'read'],
    trading: ['public', 'read', 'trade', 'cancel'],
    'market-making': ['public', 'read', 'trade', 'cancel'],
    other: undefined,
  });

const DATE = /^\d{4}-\d{2}-\d{2}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const TEXT = /^[^\u0000-\u001f\u007f]{1,200}$/;

export function isThirdPartyPurpose(value: string): value is ThirdPartyPurpose {
  return (THIRD_PARTY_PURPOSES as readonly string[]).includes(value);
}

/** A valid `YYYY-MM-DD` calendar date. */
export function isDay(value: string): boolean {
  if (!DATE.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls 02-30 over to 03-02 (or answers NaN for month 13): the day must come back unchanged.
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(value);
}

/** Checks every field (the CLI checks them too, for its own messages); returns a copy without duplicates. */
export function validateThirdParty(t: ThirdParty): ThirdParty {
  const bad = (message: string) => new KeywardenError('invalid_input', message);
  if (!TEXT.test(t.vendor)) throw bad('third party: vendor is 1-200 printable characters');
  if (!TEXT.test(t.contact)) throw bad('third party: contact is 1-200 printable characters');
  if (!isThirdPartyPurpose(t.purpose))
    throw bad(`third party: purpose is one of ${THIRD_PARTY_PURPOSES.join(', ')}`);
  if (!isDay(t.reviewBy)) throw bad('third party: review date is YYYY-MM-DD');
  const ips = t.vendorIps ?? [];
  const wrong = ips.find((c) => !isCidr(c));
  if (wrong !== undefined)
    throw bad(`third party: "${wrong.slice(0, 50)}" is not an IP address or CIDR block`);
  return {
    vendor: t.vendor,
    purpose: t.purpose,
    contact: t.contact,
    reviewBy: t.reviewBy,
    ...(ips.length > 0 ? { vendorIps: [...new Set(ips)] } : {}),
  };
}
