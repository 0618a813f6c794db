import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliError, describeError } from '../../src/cli/cli-kit.js';
import {
  ERROR_CODES,
  type ErrorCode,
  errorMeaning,
  isErrorCode,
  KeywardenError,
} from '../../src/core/index.js';
import { CredentialError } from '../../src/exchanges/index.js';
import { SinkError } from '../../src/monitor/index.js';

/** One table row of docs/errors.md: | `code` | status | `kind` | meaning | */
const ROW = /^\| `([a-z0-9_]+)` \| (\d{3}) \| `([a-z_]+)` \| (.+?) \|$/;

function documentedRows(doc: string): Array<{ code: string; status: number; kind: string; meaning: string }> {
  return doc
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const m = ROW.exec(line);
      if (!m)
        throw new Error(`docs/errors.md: row not in the | code | HTTP | kind | meaning | form: ${line}`);
      return { code: m[1] ?? '', status: Number(m[2]), kind: m[3] ?? '', meaning: m[4] ?? '' };
    });
}

/**
 * Error-code literals in src/, by where they stand. A literal counts when it is lowercase
 * snake_case (`auth_missing`, `internal`): the shape of every keywarden code. Errno and
 * framework codes (`ENOENT`, `FST_ERR_…`), exchange codes (`-1022`, `50111`, `EAPI:Invalid key`,
 * `INVALID_ARGUMENT`) and messages (with spaces) never have that shape. Biome writes every
 * string in single quotes, so the patterns look for those only. In a code position the value
 * counts when it is such a literal, or for each branch of a conditional (`a ? 'x' : 'y'`).
 *
 * - everywhere in src/: `new KeywardenError(x`, `ERROR_CODES['x']` / `ERROR_CODES.x`,
 *   `'x-keywarden-code': x`;
 * - outside src/exchanges/ and src/sandbox/, whose `code` / `error` fields are the exchanges'
 *   own wire shapes (keywarden's codes reach those folders only through the forms above):
 *   the properties `code: x`, `error: x` and `rule: x` (a denial rule written as a literal is
 *   a code: policy rules come out of the evaluation, alert rules are dotted), and comparisons
 *   `code === 'x'` / `'x' !== err.code` (not zod's own `issue.code`, not `typeof`);
 * - outside those two and src/policy/ (whose `deny('rule', …)` names a policy rule, type-checked
 *   as PolicyRule): the first or second argument of `deny(`, `denial(`, `answer(`,
 *   `errorAnswer(`. Not `fail(` from src/core/result.ts: its error can be anything (a webhook
 *   rejection reason, a sandbox engine error); a code inside it stands as `code: x` or in one
 *   of the calls above.
 */
const SNAKE = "'([a-z][a-z0-9]*(?:_[a-z0-9]+)*)'";
/** A value up to the end of its argument, property or statement. */
const VALUE = '([^,;(){}\\n]+)';
const AT_VALUE = {
  everywhere: [
    new RegExp(String.raw`new KeywardenError\(\s*${VALUE}`, 'dg'),
    new RegExp(String.raw`'x-keywarden-code'\s*:\s*${VALUE}`, 'dg'),
  ],
  outsideExchanges: [new RegExp(String.raw`\b(?:code|error|rule)\s*:\s*${VALUE}`, 'dg')],
  outsidePolicy: [
    new RegExp(String.raw`\b(?:deny|denial|answer|errorAnswer)\(\s*(?:[\w.]+\s*,\s*)?${VALUE}`, 'dg'),
  ],
};
const AT_LITERAL = {
  everywhere: [
    new RegExp(String.raw`ERROR_CODES\[\s*${SNAKE}\s*\]`, 'dg'),
    /ERROR_CODES\.([a-z][a-z0-9_]*)/dg,
  ],
  outsideExchanges: [
    new RegExp(String.raw`(?<!\bissue\.|\btypeof\s+[\w.]*)\bcode\s*[!=]==?\s*${SNAKE}`, 'dg'),
    new RegExp(String.raw`${SNAKE}\s*[!=]==?\s*(?:[\w.]+\.)?code\b`, 'dg'),
  ],
};
const WHOLE_LITERAL = new RegExp(String.raw`^\s*${SNAKE}\s*$`);
const BRANCH_LITERAL = new RegExp(String.raw`[?:]\s*${SNAKE}`, 'g');

interface Literal {
  file: string;
  line: number;
  code: string;
}

function errorCodeLiterals(file: string, text: string): Literal[] {
  const exchangeShaped = /^src\/(exchanges|sandbox)\//.test(file);
  const policy = file.startsWith('src/policy/');
  const pick = <T>(set: { everywhere: T[]; outsideExchanges: T[]; outsidePolicy?: T[] }): T[] => [
    ...set.everywhere,
    ...(exchangeShaped ? [] : set.outsideExchanges),
    ...(exchangeShaped || policy ? [] : (set.outsidePolicy ?? [])),
  ];
  const found: Literal[] = [];
  const add = (at: number, code: string) =>
    found.push({ file, line: text.slice(0, at).split('\n').length, code });
  for (const re of pick(AT_LITERAL))
    for (const m of text.matchAll(re)) add(m.indices?.[1]?.[0] ?? m.index, m[1] ?? '');
  for (const re of pick(AT_VALUE))
    for (const m of text.matchAll(re)) {
      const value = m[1] ?? '';
      const at = m.indices?.[1]?.[0] ?? m.index;
      const whole = WHOLE_LITERAL.exec(value);
      if (whole) add(at, whole[1] ?? '');
      else for (const b of value.matchAll(BRANCH_LITERAL)) add(at + b.index, b[1] ?? '');
    }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [relative('.', path).split(sep).join('/')] : [];
  });
}

const uncatalogued = (literals: Literal[]) =>
  literals.filter((l) => !isErrorCode(l.code)).map((l) => `${l.file}:${l.line}: '${l.code}'`);

describe('docs/errors.md', () => {
  const rows = documentedRows(readFileSync('docs/errors.md', 'utf8'));

  it('lists exactly the codes in src/core/errors.ts, once each', () => {
    const documented = rows.map((r) => r.code);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('gives every code the same HTTP status, kind and meaning as the catalogue', () => {
    const fromDocs = Object.fromEntries(
      rows.map((r) => [r.code, { status: r.status, kind: r.kind, meaning: r.meaning }]),
    );
    const fromCode = Object.fromEntries(
      (Object.keys(ERROR_CODES) as ErrorCode[]).map((c) => [
        c,
        { status: ERROR_CODES[c].status, kind: ERROR_CODES[c].kind, meaning: errorMeaning(c) },
      ]),
    );
    expect(fromDocs).toEqual(fromCode);
  });
});

describe('error-code literals in src/', () => {
  const files = sourceFiles('src');
  const literals = files.flatMap((f) => errorCodeLiterals(f, readFileSync(f, 'utf8')));

  it('are all catalogued in ERROR_CODES', () => {
    expect(uncatalogued(literals)).toEqual([]);
  });

  it('are found where the gateway, the unseal route, the monitor and the CLI put them', () => {
    const under = (folder: string) =>
      new Set(literals.filter((l) => l.file.startsWith(folder)).map((l) => l.code));
    expect([...under('src/gateway/')]).toEqual(
      expect.arrayContaining([
        'auth_missing',
        'policy_denied',
        'request_rejected',
        'unauthenticated',
        'unseal_failed',
      ]),
    );
    expect([...under('src/monitor/')]).toEqual(expect.arrayContaining(['ip_not_allowed', 'upstream_failed']));
    expect([...under('src/cli/')]).toEqual(expect.arrayContaining(['not_found', 'vault_not_initialized']));
  });

  it('flags an uncatalogued code in each position, with file and line', () => {
    const text = [
      "throw new KeywardenError('no_such_code', 'x');",
      "return deny(ctx, 'not_a_code', 'why');",
      "return fail({ code: 'made_up', message });",
      "reply.send({ error: 'forbidden', message });",
      "audit.append({ kind: 'request', rule: 'unknown_rule' });",
      "if (err.code === 'typo_code') return;",
      "const headers = { 'x-keywarden-code': 'bogus' };",
      "reply.send({ error: status === 401 ? 'unauthorized' : 'forbidden', message });",
      'throw new KeywardenError(',
      "  sealed ? 'vault_sealed' : 'not_catalogued',",
    ].join('\n');
    expect(uncatalogued(errorCodeLiterals('src/gateway/example.ts', text)).sort()).toEqual([
      "src/gateway/example.ts:10: 'not_catalogued'",
      "src/gateway/example.ts:1: 'no_such_code'",
      "src/gateway/example.ts:2: 'not_a_code'",
      "src/gateway/example.ts:3: 'made_up'",
      "src/gateway/example.ts:4: 'forbidden'",
      "src/gateway/example.ts:5: 'unknown_rule'",
      "src/gateway/example.ts:6: 'typo_code'",
      "src/gateway/example.ts:7: 'bogus'",
      "src/gateway/example.ts:8: 'forbidden'",
      "src/gateway/example.ts:8: 'unauthorized'",
    ]);
  });

  it("leaves the exchanges' own codes, errno codes, zod issue codes and policy rules alone", () => {
    const exchangeShape = [
      "return { code: 'invalid_request', msg };",
      "body: JSON.stringify({ error: 'unknown_order' }),",
      "if (parsed.code === 'order_not_found') return;",
      "return fail('insufficient_funds');",
    ].join('\n');
    expect(errorCodeLiterals('src/exchanges/example.ts', exchangeShape)).toEqual([]);
    expect(errorCodeLiterals('src/sandbox/example.ts', exchangeShape)).toEqual([]);
    expect(
      errorCodeLiterals(
        'src/config/example.ts',
        "if (issue.code === 'unrecognized_keys') x();\nif (err.code === 'ENOENT') y();\nrule: 'anomaly.new_ip',\nif (typeof err.code === 'string') z();",
      ),
    ).toEqual([]);
    expect(errorCodeLiterals('src/policy/example.ts', "return deny('environment', 'prod key');")).toEqual([]);
    // Keywarden's own forms still count inside the exchange folders.
    expect(
      uncatalogued(errorCodeLiterals('src/exchanges/example.ts', "throw new KeywardenError('made_up');")),
    ).toEqual(["src/exchanges/example.ts:1: 'made_up'"]);
  });
});

describe('one error family', () => {
  it('every error class keywarden defines is a KeywardenError with a catalogued code', () => {
    const errors: KeywardenError[] = [
      new CliError('bad flag', 2),
      new CliError('port in use'),
      new CredentialError('binance secret is missing'),
      new SinkError('ops: HTTP 500', true),
    ];
    for (const e of errors) {
      expect(e).toBeInstanceOf(KeywardenError);
      expect(isErrorCode(e.code)).toBe(true);
    }
    expect(errors.map((e) => e.code)).toEqual([
      'invalid_input',
      'command_failed',
      'invalid_credential',
      'sink_failed',
    ]);
  });

  it('no class in src/ extends Error directly except KeywardenError', () => {
    const direct = sourceFiles('src').flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/class (\w+) extends (?:Error|TypeError|RangeError)\b/g)].map(
        (m) => `${f}: ${m[1]}`,
      ),
    );
    expect(direct).toEqual(['src/core/errors.ts: KeywardenError']);
  });

  it('keeps the CLI exit codes: 2 for input errors, 1 otherwise, and the message as given', () => {
    expect(describeError(new CliError('--hours expects a whole number', 2))).toEqual({
      message: '--hours expects a whole number',
      exitCode: 2,
    });
    expect(describeError(new CliError('no gateway answering at http://127.0.0.1:1'))).toEqual({
      message: 'no gateway answering at http://127.0.0.1:1',
      exitCode: 1,
    });
    expect(describeError(new CredentialError('kraken secret must be base64'))).toEqual({
      message: 'kraken secret must be base64',
      exitCode: 2,
    });
    expect(describeError(new KeywardenError('vault_sealed')).exitCode).toBe(1);
    expect(describeError(new Error('secret detail')).message).not.toContain('secret');
  });
});
