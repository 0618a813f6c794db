#!/usr/bin/env node
/**
 * Cost of the wallet rules, as a ratio of CPU time: the engine in-process (one thread, `findMatches` over
 * every file of CCXT's js/ tree, 27 MB) with every built-in rule against the same without the
 * group, interleaved run by run so a slow patch of the machine hits both. Also counts the window
 * lines (lines a rule's pattern or prefilter may look at) each configuration opens. Not part of
 * `npm test`.
 *
 *   npm run build && node bench/scan/rules-ratio.mjs [--runs 11]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { compileRules, findMatches } = await import(join(root, 'dist/scan/engine.js'));
const { RULES } = await import(join(root, 'dist/scan/rules/index.js'));
const { WALLET_RULES } = await import(join(root, 'dist/scan/rules/wallets.js'));
const i = process.argv.indexOf('--runs');
const RUNS = i > 0 ? Number(process.argv[i + 1]) : 11;

const texts = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) walk(path);
    else if (st.size <= 2 * 1024 * 1024) texts.push(readFileSync(path, 'utf8'));
  }
};
walk(join(root, 'node_modules/ccxt/js'));
const mb = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;

const without = RULES.filter((r) => !WALLET_RULES.includes(r));
const configs = { without: compileRules(without), with: compileRules(RULES) };
/** CPU time of this thread, not wall time: on a shared, loaded machine it is the steadier measure. */
const scan = (compiled) => {
  const t = process.cpuUsage();
  let matches = 0;
  for (const text of texts) matches += findMatches(text, compiled).length;
  const d = process.cpuUsage(t);
  return { ms: (d.user + d.system) / 1000, matches };
};
function windowLines(rules) {
  const lines = texts.flatMap((t) => t.split('\n').map((l) => l.toLowerCase()));
  let n = 0;
  for (const r of rules) {
    const open = new Set();
    lines.forEach((l, k) => {
      if (r.keywords.some((w) => l.includes(w)))
        for (let j = k - (r.before ?? 0); j <= k + (r.after ?? 0); j++) open.add(j);
    });
    n += open.size;
  }
  return n;
}
for (const c of Object.values(configs)) scan(c); // warm up
const ms = { without: [], with: [] };
const matches = {};
for (let run = 0; run < RUNS; run++)
  for (const [name, c] of Object.entries(configs)) {
    const r = scan(c);
    ms[name].push(r.ms);
    matches[name] = r.matches;
  }
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`CCXT js/, ${texts.length} files, ${mb.toFixed(1)} MB, median of ${RUNS}`);
for (const name of Object.keys(configs))
  console.log(`${name.padEnd(8)} wallet rules: ${median(ms[name]).toFixed(0)} ms CPU, ${matches[name]} matches`);
console.log(`ratio with/without: ${(median(ms.with) / median(ms.without)).toFixed(3)}`);
console.log(`window lines: without ${windowLines(without)}, with ${windowLines(RULES)}`);
