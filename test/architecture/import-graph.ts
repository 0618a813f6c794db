/**
 * Reads the relative imports of every file under src/ and checks them against the layer order
 * (issue 11): a folder's public surface is its index.ts (a sub-folder's, such as
 * src/exchanges/okx/index.ts, is that sub-folder's), and a folder imports only folders of lower
 * layers, or ones listed before it in its own layer.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/** Lowest first. Within one layer a folder may import the folders listed before it. */
export const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  ['store', 'vault', 'exchanges'],
  ['audit', 'policy', 'sandbox'],
  ['monitor'],
  ['config'],
  ['keys', 'clients', 'rotation', 'lockdown', 'scan', 'posture', 'operators', 'approvals'],
  ['gateway'],
  ['admin'],
  ['cli'],
];

export interface Import {
  file: string;
  line: number;
  /** The imported file, relative to src/, e.g. `core/index.ts`. */
  target: string;
}

const IMPORT =
  /^\s*(?:import|export)\b[^'"]*?\bfrom\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'|import\('(\.[^']+)'\)/;

export function importsOf(srcRoot: string): Import[] {
  const out: Import[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) {
        const file = relative(srcRoot, path).split(sep).join('/');
        readFileSync(path, 'utf8')
          .split('\n')
          .forEach((text, i) => {
            const m = IMPORT.exec(text);
            const spec = m?.[1] ?? m?.[2] ?? m?.[3];
            if (spec === undefined) return;
            const target = normalize(join(dirname(file), spec))
              .split(sep)
              .join('/')
              .replace(/\.js$/, '.ts');
            out.push({ file, line: i + 1, target });
          });
      }
    }
  };
  walk(srcRoot);
  return out;
}

function rank(folder: string): [number, number] | undefined {
  for (const [layer, folders] of LAYERS.entries()) {
    const at = folders.indexOf(folder);
    if (at >= 0) return [layer, at];
  }
  return undefined;
}

/** One line per broken rule, `file:line message`; empty when the graph is clean. */
export function violations(imports: readonly Import[], folders: readonly string[]): string[] {
  const found: string[] = [];
  for (const folder of folders) {
    if (rank(folder) === undefined)
      found.push(`src/${folder}/ is in no layer (test/architecture/import-graph.ts)`);
  }
  for (const { file, line, target } of imports) {
    const from = file.split('/')[0] ?? '';
    const to = target.split('/')[0] ?? '';
    const at = `src/${file}:${line}`;
    if (!file.includes('/')) {
      found.push(`${at} a file directly in src/ (every file belongs to a folder)`);
      continue;
    }
    if (from === to) {
      if (target === `${from}/index.ts`)
        found.push(`${at} imports its own folder's index.ts (a cycle waiting to happen)`);
      continue;
    }
    if (!target.endsWith('/index.ts'))
      found.push(`${at} imports ${target}: another folder's inner file (use src/${to}/index.ts)`);
    const a = rank(from);
    const b = rank(to);
    if (a === undefined || b === undefined) continue;
    if (b[0] > a[0] || (b[0] === a[0] && b[1] >= a[1]))
      found.push(`${at} ${from} imports ${to}, which is not below it in the layer order`);
  }
  return found;
}
