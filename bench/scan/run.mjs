#!/usr/bin/env node
/**
 * Leak-scanner benchmark: keywarden vs secretlint (recommended preset) vs git-secrets (AWS
 * patterns), with ripgrep running keywarden's keyword set as the speed limit. One corpus for
 * all: CCXT's JS source tree (node_modules/ccxt/js) with the fake credentials of
 * test/fixtures/leaks/corpus planted in a copy. Not part of `npm test`.
 *
 *   npm run build
 *   npm install --prefix bench/scan/work/tools secretlint@10.2.2 @secretlint/secretlint-rule-preset-recommend@10.2.2
 *   apt-get install -y git-secrets ripgrep
 *   node bench/scan/run.mjs [--runs 3]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const work = join(here, 'work');
// The corpus lives outside the repository so tsc and biome (which include bench/) never see CCXT's copy.
const corpus = join(tmpdir(), 'keywarden-scan-bench-corpus');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

function sizeOf(dir) {
  let bytes = 0;
  let files = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.git') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      const s = sizeOf(p);
      bytes += s.bytes;
      files += s.files;
    } else if (entry.isFile()) {
      bytes += statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

function prepare() {
  rmSync(corpus, { recursive: true, force: true });
  mkdirSync(corpus, { recursive: true });
  mkdirSync(work, { recursive: true });
  cpSync(join(root, 'node_modules/ccxt/js'), join(corpus, 'ccxt'), { recursive: true });
  cpSync(join(root, 'test/fixtures/leaks/corpus'), join(corpus, 'planted'), { recursive: true });
  // git-secrets scans a repository's working tree.
  execFileSync('git', ['init', '-q'], { cwd: corpus });
  execFileSync('git', ['secrets', '--register-aws'], { cwd: corpus });
  writeFileSync(join(work, '.secretlintrc.json'), JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
}

function time(cmd, args, opts = {}) {
  const started = process.hrtime.bigint();
  const res = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, ...opts });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (res.error) throw res.error;
  return { seconds, stdout: res.stdout, stderr: res.stderr, status: res.status };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const expected = JSON.parse(readFileSync(join(root, 'test/fixtures/leaks/expected.json'), 'utf8'));
const plantedFiles = new Set(expected.findings.map((f) => `planted/${f.file}`));
const negativeFiles = new Set(expected.negatives.map((f) => `planted/${f}`));

/** Files a tool flagged, split into planted-with-secret, planted hard negatives, and CCXT source. */
function classify(files) {
  const flagged = new Set(files.map((f) => f.replace(/^\.\//, '')));
  return {
    plantedHit: [...plantedFiles].filter((f) => flagged.has(f)).length,
    negativesHit: [...flagged].filter((f) => negativeFiles.has(f)).length,
    ccxtHit: [...flagged].filter((f) => f.startsWith('ccxt/')).length,
  };
}

const tools = [];

tools.push({
  name: 'keywarden',
  run: (dir = corpus) => time(process.execPath, [join(root, 'dist/cli/main.js'), 'scan', dir, '--format', 'json', '--no-progress']),
  parse: (out) => {
    const findings = JSON.parse(out.stdout).findings;
    return { findings: findings.length, files: findings.map((f) => f.file) };
  },
});

const secretlintBin = join(work, 'tools/node_modules/.bin/secretlint');
if (existsSync(secretlintBin)) {
  tools.push({
    name: 'secretlint (preset-recommend)',
    run: (dir = corpus) =>
      time(
        secretlintBin,
        ['**/*', '--format', 'json', '--secretlintrc', join(work, '.secretlintrc.json'), '--maskSecrets', '--output', join(work, 'secretlint.json')],
        { cwd: dir },
      ),
    parse: () => {
      const results = JSON.parse(readFileSync(join(work, 'secretlint.json'), 'utf8'));
      const withMessages = results.filter((r) => r.messages.length > 0);
      return {
        findings: withMessages.reduce((n, r) => n + r.messages.length, 0),
        files: withMessages.map((r) => relative(corpus, r.filePath)),
      };
    },
  });
} else {
  console.error(`secretlint not installed at ${secretlintBin}; skipping (see the header for the install command)`);
}

tools.push({
  name: 'git-secrets (--register-aws)',
  run: (dir = corpus) => time('git', ['secrets', '--scan', '-r', '.'], { cwd: dir }),
  parse: (out) => {
    const lines = `${out.stdout}\n${out.stderr}`.split('\n').filter((l) => /^[^\s:][^:]*:\d+:/.test(l));
    return { findings: lines.length, files: lines.map((l) => l.split(':')[0]) };
  },
});

// The speed limit: ripgrep searching keywarden's own keyword set (prefilter only, no patterns).
const { RULES } = await import(join(root, 'dist/scan/rules/index.js'));
const keywords = [...new Set(RULES.flatMap((r) => r.keywords))];
writeFileSync(join(work, 'keywords.txt'), `${keywords.join('\n')}\n`);
tools.push({
  name: 'ripgrep (keyword set only)',
  run: (dir = corpus) => time('rg', ['--no-ignore', '--hidden', '-i', '-F', '-c', '-f', join(work, 'keywords.txt'), '.'], { cwd: dir }),
  parse: (out) => {
    const lines = out.stdout.split('\n').filter(Boolean);
    return { findings: lines.reduce((n, l) => n + Number(l.split(':').pop()), 0), files: lines.map((l) => l.split(':')[0]) };
  },
  keywordOnly: true,
});

prepare();
// Process start-up, measured on a one-file tree, so throughput can also be given net of it.
const tiny = join(tmpdir(), 'keywarden-scan-bench-tiny');
rmSync(tiny, { recursive: true, force: true });
mkdirSync(tiny, { recursive: true });
writeFileSync(join(tiny, 'a.txt'), 'nothing here\n');
execFileSync('git', ['init', '-q'], { cwd: tiny });
execFileSync('git', ['secrets', '--register-aws'], { cwd: tiny });
const { bytes, files } = sizeOf(corpus);
const mb = bytes / 1e6;
console.log(`corpus: ${files} files, ${mb.toFixed(1)} MB (CCXT ${JSON.parse(readFileSync(join(root, 'node_modules/ccxt/package.json'), 'utf8')).version} js/ + ${expected.findings.length} planted findings in ${plantedFiles.size} files); ${cpus().length} cores; node ${process.version}`);

const rows = [];
for (const tool of tools) {
  const runs = [];
  let parsed;
  for (let i = 0; i < RUNS; i++) {
    const out = tool.run();
    runs.push(out.seconds);
    parsed = tool.parse(out);
  }
  const seconds = median(runs);
  const startup = median(Array.from({ length: RUNS }, () => tool.run(tiny).seconds));
  rows.push({
    tool: tool.name,
    seconds,
    startup,
    mbps: mb / seconds,
    netMbps: mb / Math.max(seconds - startup, 0.001),
    ...parsed,
    ...classify(parsed.files),
    keywordOnly: tool.keywordOnly,
  });
  console.error(`${tool.name}: ${seconds.toFixed(2)} s`);
}

// keywarden's engine alone, in this process (no CLI start-up, one thread).
const { scanTree } = await import(join(root, 'dist/scan/scanner.js'));
const engineRuns = [];
for (let i = 0; i < RUNS; i++) {
  const started = process.hrtime.bigint();
  await scanTree(corpus, { maxFileBytes: 2 * 1024 * 1024, gitignore: true, workers: 0 });
  engineRuns.push(Number(process.hrtime.bigint() - started) / 1e9);
}
const engineSeconds = median(engineRuns);

const kw = rows[0];
const sl = rows.find((r) => r.tool.startsWith('secretlint'));
const rg = rows.find((r) => r.tool.startsWith('ripgrep'));
console.log(
  `\n| tool | wall time (median of ${RUNS}) | start-up (1-file tree) | throughput (wall) | throughput (net of start-up) | findings | planted files found (of ${plantedFiles.size}) | hard-negative files flagged (of ${negativeFiles.size}) | CCXT source files flagged |`,
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const na = r.keywordOnly;
  console.log(
    `| ${r.tool} | ${r.seconds.toFixed(2)} s | ${r.startup.toFixed(2)} s | ${r.mbps.toFixed(1)} MB/s | ${r.netMbps.toFixed(1)} MB/s | ${na ? `(${r.findings} keyword lines)` : r.findings} | ${na ? 'n/a' : r.plantedHit} | ${na ? 'n/a' : r.negativesHit} | ${na ? 'n/a' : r.ccxtHit} |`,
  );
}
console.log(`\nkeywarden engine in-process, one thread: ${engineSeconds.toFixed(2)} s = ${(mb / engineSeconds).toFixed(1)} MB/s`);
if (sl) {
  console.log(`keywarden / secretlint: ${(kw.mbps / sl.mbps).toFixed(1)}x wall, ${(kw.netMbps / sl.netMbps).toFixed(1)}x net of start-up, ${(mb / engineSeconds / sl.netMbps).toFixed(1)}x engine vs secretlint net`);
}
if (rg) {
  console.log(`keywarden / ripgrep (keywords only): ${(kw.mbps / rg.mbps).toFixed(2)}x wall, ${(kw.netMbps / rg.netMbps).toFixed(2)}x net, engine ${(mb / engineSeconds / rg.netMbps).toFixed(2)}x`);
}
