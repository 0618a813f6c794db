import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanTree } from '../../src/scan/scanner.js';

// keywarden's own sources hold rule patterns, the BIP-39 word list and made-up keys for warming
// the engine up: they must scan clean, or a contributor's pre-commit hook would cry wolf.
describe('self-scan', () => {
  it("keywarden's src/ has no finding", async () => {
    const { findings, stats } = await scanTree(join(import.meta.dirname, '../../src'), {
      maxFileBytes: 2 * 1024 * 1024,
      gitignore: true,
      workers: 0,
    });
    expect(stats.files).toBeGreaterThan(100);
    expect(findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([]);
  });
});
