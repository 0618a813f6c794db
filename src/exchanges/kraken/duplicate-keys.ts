import { KeywardenError } from '../../core/index.js';

/**
 * Scan a JSON text and refuse duplicated object keys (JSON.parse keeps the last silently,
 * which would let policy see one value and the exchange act on another).
 */
export function jsonDuplicateKey(text: string): string | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text.charAt(i))) i++;
  };
  const str = (): string => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters inside strings
    const re = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) throw new Error('bad string');
    i = re.lastIndex;
    return JSON.parse(m[0]) as string;
  };
  const value = (depth: number): void => {
    if (depth > 32) throw new Error('too deep');
    ws();
    const c = text.charAt(i);
    if (c === '{') {
      i++;
      const keys = new Set<string>();
      ws();
      if (text.charAt(i) === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const k = str();
        if (keys.has(k)) throw new DuplicateKey(k);
        keys.add(k);
        ws();
        if (text.charAt(i++) !== ':') throw new Error('expected colon');
        value(depth + 1);
        ws();
        const d = text.charAt(i++);
        if (d === '}') return;
        if (d !== ',') throw new Error('expected comma');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text.charAt(i) === ']') {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        const d = text.charAt(i++);
        if (d === ']') return;
        if (d !== ',') throw new Error('expected comma');
      }
    }
    if (c === '"') {
      str();
      return;
    }
    const re = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
    re.lastIndex = i;
    if (!re.exec(text)) throw new Error('bad value');
    i = re.lastIndex;
  };
  try {
    value(0);
    ws();
    if (i !== text.length) return 'trailing characters after JSON body';
  } catch (err) {
    return err instanceof DuplicateKey
      ? `duplicated parameter "${err.key.slice(0, 40)}"`
      : 'malformed JSON body';
  }
  return undefined;
}

/** Thrown inside the scanner to stop at the first repeated name; caught just above. */
class DuplicateKey extends KeywardenError {
  constructor(readonly key: string) {
    super('request_rejected', 'duplicated parameter');
    this.name = 'DuplicateKey';
  }
}
