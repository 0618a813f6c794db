import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { toSarif } from '../../src/scan/report.js';
import { scanTree } from '../../src/scan/scanner.js';

const FIXTURES = join(import.meta.dirname, '../fixtures');
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function validator() {
  const schema = JSON.parse(readFileSync(join(FIXTURES, 'sarif/sarif-schema-2.1.0.json'), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('SARIF output', () => {
  it('validates against the OASIS SARIF 2.1.0 schema', async () => {
    const { findings } = await scanTree(join(FIXTURES, 'leaks/corpus'), {
      maxFileBytes: 2 * 1024 * 1024,
      gitignore: true,
      workers: 0,
    });
    expect(findings.length).toBeGreaterThan(10);
    const log = toSarif(findings, '0.1.0') as { runs: Array<{ results: unknown[] }> };
    const validate = validator();
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(log.runs[0]?.results).toHaveLength(findings.length);
  });

  it('the schema check has teeth: a result without a message is rejected', () => {
    const validate = validator();
    const broken = {
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'x' } }, results: [{ ruleId: 'r' }] }],
    };
    expect(validate(broken)).toBe(false);
  });
});
