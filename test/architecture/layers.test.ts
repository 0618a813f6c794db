import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Import, importsOf, violations } from './import-graph.js';

const SRC = join(import.meta.dirname, '../../src');
const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());

describe('the source tree keeps its layers', () => {
  it('every folder of src/ has an index.ts as its public surface', () => {
    expect(folders.filter((f) => !existsSync(join(SRC, f, 'index.ts')))).toEqual([]);
  });

  it('imports only other folders’ index.ts, and only folders below in the layer order', () => {
    expect(violations(importsOf(SRC), folders)).toEqual([]);
  });
});

describe('the layer check itself', () => {
  const at = (file: string, target: string): Import => ({ file, line: 1, target });

  it('flags an inner-file import, an upward import and an unknown folder', () => {
    const found = violations(
      [
        at('gateway/gateway.ts', 'policy/notional.ts'),
        at('policy/index.ts', 'gateway/index.ts'),
        at('store/db.ts', 'vault/index.ts'),
        at('core/x.ts', 'core/index.ts'),
      ],
      ['core', 'gateway', 'policy', 'store', 'vault', 'mystery'],
    );
    expect(found).toEqual([
      'src/mystery/ is in no layer (test/architecture/import-graph.ts)',
      "src/gateway/gateway.ts:1 imports policy/notional.ts: another folder's inner file (use src/policy/index.ts)",
      'src/policy/index.ts:1 policy imports gateway, which is not below it in the layer order',
      'src/store/db.ts:1 store imports vault, which is not below it in the layer order',
      "src/core/x.ts:1 imports its own folder's index.ts (a cycle waiting to happen)",
    ]);
  });

  it('accepts downward imports of an index.ts, a same-layer import of an earlier folder, and inner imports', () => {
    expect(
      violations(
        [
          at('gateway/gateway.ts', 'policy/index.ts'),
          at('vault/vault.ts', 'store/index.ts'),
          at('exchanges/okx/index.ts', 'exchanges/adapter.ts'),
          at('sandbox/okx.ts', 'exchanges/okx/index.ts'),
        ],
        ['gateway', 'policy', 'vault', 'store', 'exchanges'],
      ),
    ).toEqual([]);
  });
});
