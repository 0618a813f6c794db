/**
 * Strict JSON for signed bodies. `JSON.parse` keeps the last of duplicated keys, while an
 * exchange (or a policy check) may read the first: a body like `{"sz":"1","sz":"100"}` could
 * then be approved as one order and executed as another. Duplicates are refused instead.
 */

export type StrictJsonResult = { ok: true; value: unknown } | { ok: false; message: string };

interface Frame {
  object: boolean;
  keys: Set<string>;
  expectKey: boolean;
}

export function parseStrictJson(text: string): StrictJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: 'body is not valid JSON' };
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined)
    return { ok: false, message: `duplicated JSON key "${duplicate.slice(0, 40)}"` };
  return { ok: true, value };
}

/** Scans already-valid JSON text; returns the first key repeated within one object. */
function findDuplicateKey(text: string): string | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.object && top.expectKey) {
        // Decode so `"a"` and `"\u0061"` count as the same key.
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{') stack.push({ object: true, keys: new Set(), expectKey: true });
    else if (c === '[') stack.push({ object: false, keys: new Set(), expectKey: false });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.object) top.expectKey = true;
    }
    i++;
  }
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field as the exchange would read it: strings as-is, numbers and booleans as text. */
export function textField(record: Record<string, unknown>, name: string): string | undefined {
  const v = record[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}
