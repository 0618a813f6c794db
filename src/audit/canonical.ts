/**
 * The audit log's canonical serialisation: JSON with object keys sorted (by UTF-16 code
 * units, recursively), no whitespace, `undefined` members dropped. Hashes and checkpoint
 * signatures are computed over exactly these bytes, so any implementation can re-derive them.
 *
 * This runs twice per gateway request (decision and outcome records), so it is written as
 * plain loops and string concatenation rather than entries/filter/map/join chains.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return scalarJson(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const v: unknown = value[i];
      out += v === undefined ? 'null' : canonicalJson(v);
    }
    return `${out}]`;
  }
  return canonicalTemplate(value as Record<string, unknown>, [])[0] as string;
}

/**
 * The canonical JSON of `obj` plus the members named in `slots`, whose values are not known
 * yet, as the text around them: `parts[0] + v0 + parts[1] + v1 + … + parts[n]` where `vi` is
 * the canonical JSON of slot i's value (`slots` sorted, none of them a key of `obj`). A record
 * is serialised this way when it is appended; the commit fills in seq, at and prevHash.
 */
export function canonicalTemplate(obj: Record<string, unknown>, slots: readonly string[]): string[] {
  // Default sort order compares UTF-16 code units, the order the format specifies.
  const keys = Object.keys(obj).sort();
  const parts: string[] = [];
  let cur = '{';
  let first = true;
  let i = 0;
  let j = 0;
  while (i < keys.length || j < slots.length) {
    const k = keys[i];
    const slot = slots[j];
    if (k !== undefined && (slot === undefined || k < slot)) {
      i++;
      const v = obj[k];
      if (v === undefined) continue;
      cur += `${first ? '' : ','}${quotedKey(k)}${canonicalJson(v)}`;
    } else if (slot !== undefined) {
      j++;
      if (k === slot) throw new Error(`audit record field ${slot} is set by the log`);
      parts.push(`${cur}${first ? '' : ','}${quotedKey(slot)}`);
      cur = '';
    }
    first = false;
  }
  parts.push(`${cur}}`);
  return parts;
}

function scalarJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('non-finite number in audit record');
      // Same text as JSON.stringify for every finite number (including -0 → "0").
      return `${value}`;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return value === null ? 'null' : (JSON.stringify(value) as string);
  }
}

/** `"key":` precomputed for the field names every record repeats (plain ASCII, nothing to escape). */
const QUOTED_KEYS: ReadonlyMap<string, string> = new Map(
  [
    'action',
    'actor',
    'at',
    'clientId',
    'decision',
    'detail',
    'endpoint',
    'exchange',
    'hmacs',
    'keyId',
    'kind',
    'latencyMs',
    'message',
    'notional',
    'prevHash',
    'requestId',
    'rule',
    'seq',
    'side',
    'sourceIp',
    'symbol',
    'upstreamStatus',
    'clientKeyId',
    'address',
  ].map((k) => [k, `"${k}":`]),
);
function quotedKey(k: string): string {
  return QUOTED_KEYS.get(k) ?? `${JSON.stringify(k)}:`;
}
