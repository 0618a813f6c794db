import type { Confidence, CredentialPart, Rule } from '../scan-types.js';

/** Case-insensitive spelling of a name fragment (Node 20 has no inline `(?i:)` modifier, and values must stay case-sensitive). */
export function ci(fragment: string): string {
  return fragment.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

const SEPARATOR = `["'\`]?\\]?\\s*(?::=|=>|=|:)\\s*(?:[A-Za-z_]+\\(\\s*)?["'\`]?`;
const VALUE_END = '(?![A-Za-z0-9+/_=-])';

/** `NAME = VALUE` in any common syntax (.env, YAML, JSON, TOML, Python/JS, shell, HTTP header). */
export function assignment(name: string, value: string): RegExp {
  return new RegExp(`${name}${SEPARATOR}(?<secret>${value})${VALUE_END}`, 'g');
}

/** Values that look like credentials but are placeholders, docs examples or references. */
export const PLACEHOLDERS: RegExp[] = [
  /^(?:x{4,}|0{6,}|\*{4,})/i,
  /your|example|sample|changeme|placeholder|dummy|redacted|replace|insert|fake_|^test_?key/i,
  /(.)\1{7,}/,
  /^(?:\$|%|\{\{|<|process\.env|os\.environ|env\.|ENV\[)/,
  /^(?:this|self|config|settings|options|params|cfg|args|ctx|credentials|creds)\./,
  /^(?:string|number|boolean|undefined|null|none|true|false|unknown|object|required|optional)$/i,
];

export const KEY_NAME = `(?<!${ci('(?:secret|private)')}[_.-]?)${ci('(?:api[_.-]?key|apikey|access[_.-]?key|accesskey|api[_.-]?id|key)')}`;
export const SECRET_NAME = ci('(?:api[_.-]?secret|secret[_.-]?key|secretkey|secret|private[_.-]?key)');
export const PASS_NAME = ci('(?:passphrase|pass[_.-]?phrase|password|passwd)');

/**
 * Every default name above ends in key, api id, secret, phrase, word or passwd, and SEPARATOR starts
 * with an optional quote and bracket, spaces, then `:` or `=`: a line without that cannot match.
 * Shared by all exchange rules (one test per line, however many exchanges are near it).
 */
export const ASSIGNMENT_PREFILTER = /(?:key|api[_.-]?id|secret|phrase|word|passwd)["'`]?\]?\s*[:=]/i;

export interface PartSpec {
  value: string;
  name?: string;
  entropy?: number;
  description?: string;
}

export interface ExchangeSpec {
  family: string;
  label: string;
  keywords: string[];
  key: PartSpec;
  secret: PartSpec;
  password?: PartSpec;
  /** Lines around the exchange name where its keys may sit. */
  before?: number;
  after?: number;
}

function partRule(
  spec: ExchangeSpec,
  part: CredentialPart,
  p: PartSpec,
  defaultName: string,
  confidence: Confidence,
): Rule {
  const suffix = part === 'apiKey' ? 'api-key' : part === 'secret' ? 'secret' : 'passphrase';
  return {
    id: `${spec.family}-${suffix}`,
    description: p.description ?? `${spec.label} API ${part === 'apiKey' ? 'key' : suffix}`,
    keywords: spec.keywords,
    pattern: assignment(p.name ?? defaultName, p.value),
    // A custom name may end otherwise (Deribit's client_id).
    ...(p.name === undefined ? { prefilter: ASSIGNMENT_PREFILTER } : {}),
    before: spec.before ?? 4,
    after: spec.after ?? 8,
    ...(p.entropy !== undefined ? { entropy: p.entropy } : {}),
    falsePositives: PLACEHOLDERS,
    family: spec.family,
    part,
    confidence,
  };
}

/** Rules for an exchange's key, secret and (optional) passphrase; the engine merges parts found near each other. */
export function exchangeRules(spec: ExchangeSpec): Rule[] {
  const rules = [
    partRule(spec, 'apiKey', spec.key, KEY_NAME, 'medium'),
    partRule(spec, 'secret', spec.secret, SECRET_NAME, 'medium'),
  ];
  if (spec.password) rules.push(partRule(spec, 'password', spec.password, PASS_NAME, 'low'));
  return rules;
}
