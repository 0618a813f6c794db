#!/usr/bin/env node
/**
 * Leak-scanner benchmark: keywarden vs secretlint (recommended preset) vs git-secrets (AWS
 * patterns), with ripgrep running keywarden's keyword set as the speed limit. Two corpora, each
 * scanned by every tool in the same run, with the fake credentials of test/fixtures/leaks/corpus
 * planted in a copy:
 *   js       CCXT's JS source tree (node_modules/ccxt/js), 27 MB
 *   package  CCXT's whole npm package as published (js/, dist/cjs/, the 5.8 MB minified browser
 *            bundle), without its bundled node_modules (secretlint skips node_modules), 63 MB
 * Tools run interleaved (round i runs every tool once), so a slow patch of this shared machine
 * hits all of them. Not part of `npm test`.
 *
 *   npm run build
 *   npm install --prefix bench/scan/work/tools secretlint@10.2.2 @secretlint/secretlint-rule-preset-recommend@10.2.2
 *   apt-get install -y git-secrets ripgrep
 *   node bench/scan/run.mjs [--runs 5] [--corpus js|package|both]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const work = join(here, 'work');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(arg('--runs', '3'));
const WHICH = arg('--corpus', 'both');
const ccxtDir = join(root, 'node_modules/ccxt');
const ccxtVersion = JSON.parse(readFileSync(join(ccxtDir, 'package.json'), 'utf8')).version;

// Corpora live outside the repository so tsc and biome (which include bench/) never see CCXT's copy.
const CORPORA = [
  {
    id: 'js',
    title: `CCXT ${ccxtVersion} js/`,
    dir: join(tmpdir(), 'keywarden-scan-bench-corpus'),
    copy: (dest) => cpSync(join(ccxtDir, 'js'), join(dest, 'ccxt'), { recursive: true }),
    keywardenArgs: [],
  },
  {
    id: 'package',
    title: `CCXT ${ccxtVersion} npm package (js/, dist/ with the minified bundle; no node_modules)`,
    dir: join(tmpdir(), 'keywarden-scan-bench-package'),
    copy: (dest) =>
      cpSync(ccxtDir, join(dest, 'ccxt'), {
        recursive: true,
        filter: (src) => relative(ccxtDir, src).split('/')[0] !== 'node_modules',
      }),
    // The browser bundle is 5.8 MB; keywarden skips files over 2 MB by default, secretlint scans it.
    keywardenArgs: ['--max-file-size', '8m'],
  },
].filter((c) => WHICH === 'both' || WHICH === c.id);

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

function prepare(corpus) {
  rmSync(corpus.dir, { recursive: true, force: true });
  mkdirSync(corpus.dir, { recursive: true });
  corpus.copy(corpus.dir);
  cpSync(join(root, 'test/fixtures/leaks/corpus'), join(corpus.dir, 'planted'), { recursive: true });
  // git-secrets scans a repository's working tree.
  execFileSync('git', ['init', '-q'], { cwd: corpus.dir });
  execFileSync('git', ['secrets', '--register-aws'], { cwd: corpus.dir });
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

mkdirSync(work, { recursive: true });
writeFileSync(join(work, '.secretlintrc.json'), JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
const tools = [];

tools.push({
  name: 'keywarden',
  run: (dir, corpus) =>
    time(process.execPath, [join(root, 'dist/cli/main.js'), 'scan', dir, '--format', 'json', '--no-progress', ...corpus.keywardenArgs]),
  parse: (out) => {
    const findings = JSON.parse(out.stdout).findings;
    return { findings: findings.length, files: findings.map((f) => f.file) };
  },
});

const secretlintBin = join(work, 'tools/node_modules/.bin/secretlint');
if (existsSync(secretlintBin)) {
  tools.push({
    name: 'secretlint (preset-recommend)',
    run: (dir) =>
      time(
        secretlintBin,
        ['**/*', '--format', 'json', '--secretlintrc', join(work, '.secretlintrc.json'), '--maskSecrets', '--output', join(work, 'secretlint.json')],
        { cwd: dir },
      ),
    parse: (_out, corpus) => {
      const results = JSON.parse(readFileSync(join(work, 'secretlint.json'), 'utf8'));
      const withMessages = results.filter((r) => r.messages.length > 0);
      return {
        findings: withMessages.reduce((n, r) => n + r.messages.length, 0),
        files: withMessages.map((r) => relative(corpus.dir, r.filePath)),
      };
    },
  });
} else {
  console.error(`secretlint not installed at ${secretlintBin}; skipping (see the header for the install command)`);
}

tools.push({
  name: 'git-secrets (--register-aws)',
  run: (dir) => time('git', ['secrets', '--scan', '-r', '.'], { cwd: dir }),
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
  run: (dir) => time('rg', ['--no-ignore', '--hidden', '-i', '-F', '-c', '-f', join(work, 'keywords.txt'), '.'], { cwd: dir }),
  parse: (out) => {
    const lines = out.stdout.split('\n').filter(Boolean);
    return { findings: lines.reduce((n, l) => n + Number(l.split(':').pop()), 0), files: lines.map((l) => l.split(':')[0]) };
  },
  keywordOnly: true,
});

// Process start-up, measured on a one-file tree, so throughput can also be given net of it.
const tiny = { dir: join(tmpdir(), 'keywarden-scan-bench-tiny'), keywardenArgs: [] };
rmSync(tiny.dir, { recursive: true, force: true });
mkdirSync(tiny.dir, { recursive: true });
writeFileSync(join(tiny.dir, 'a.txt'), 'nothing here\n');
execFileSync('git', ['init', '-q'], { cwd: tiny.dir });
execFileSync('git', ['secrets', '--register-aws'], { cwd: tiny.dir });
const startup = new Map(tools.map((t) => [t.name, []]));
for (let i = 0; i < RUNS; i++) for (const tool of tools) startup.get(tool.name).push(tool.run(tiny.dir, tiny).seconds);

const { scanTree } = await import(join(root, 'dist/scan/scanner.js'));
console.log(`${cpus().length} cores; node ${process.version}; ${RUNS} interleaved runs per tool and corpus`);

for (const corpus of CORPORA) {
  prepare(corpus);
  const { bytes, files } = sizeOf(corpus.dir);
  const mb = bytes / 1e6;
  console.log(
    `\n### ${corpus.id}: ${corpus.title} + ${expected.findings.length} planted findings in ${plantedFiles.size} files — ${files} files, ${mb.toFixed(1)} MB\n`,
  );
  const runs = new Map(tools.map((t) => [t.name, []]));
  const parsed = new Map();
  for (let i = 0; i < RUNS; i++) {
    for (const tool of tools) {
      const out = tool.run(corpus.dir, corpus);
      runs.get(tool.name).push(out.seconds);
      parsed.set(tool.name, tool.parse(out, corpus));
    }
  }
  const rows = tools.map((tool) => {
    const seconds = median(runs.get(tool.name));
    const start = median(startup.get(tool.name));
    const p = parsed.get(tool.name);
    return {
      tool: tool.name,
      seconds,
      startup: start,
      mbps: mb / seconds,
      netMbps: mb / Math.max(seconds - start, 0.001),
      ...p,
      ...classify(p.files),
      keywordOnly: tool.keywordOnly,
    };
  });

  // keywarden's engine alone, in this process (no CLI start-up, one thread; the first run is cold).
  const engineRuns = [];
  const maxFileBytes = corpus.keywardenArgs.includes('8m') ? 8 * 1024 * 1024 : 2 * 1024 * 1024;
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    await scanTree(corpus.dir, { maxFileBytes, gitignore: true, workers: 0 });
    engineRuns.push(Number(process.hrtime.bigint() - started) / 1e9);
  }
  const engineSeconds = median(engineRuns);

  console.log(
    `| tool | wall time (median of ${RUNS}) | start-up (1-file tree) | throughput (wall) | throughput (net of start-up) | findings | planted files found (of ${plantedFiles.size}) | hard-negative files flagged (of ${negativeFiles.size}) | CCXT files flagged |`,
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const na = r.keywordOnly;
    console.log(
      `| ${r.tool} | ${r.seconds.toFixed(2)} s | ${r.startup.toFixed(2)} s | ${r.mbps.toFixed(1)} MB/s | ${r.netMbps.toFixed(1)} MB/s | ${na ? `(${r.findings} keyword lines)` : r.findings} | ${na ? 'n/a' : r.plantedHit} | ${na ? 'n/a' : r.negativesHit} | ${na ? 'n/a' : r.ccxtHit} |`,
    );
  }
  const kw = rows[0];
  const sl = rows.find((r) => r.tool.startsWith('secretlint'));
  const rg = rows.find((r) => r.tool.startsWith('ripgrep'));
  console.log(`\nkeywarden engine in-process, one thread: ${engineSeconds.toFixed(2)} s = ${(mb / engineSeconds).toFixed(1)} MB/s`);
  if (sl) {
    console.log(
      `keywarden / secretlint: **${(kw.mbps / sl.mbps).toFixed(1)}x wall**, ${(kw.netMbps / sl.netMbps).toFixed(1)}x net of start-up, ${(mb / engineSeconds / sl.netMbps).toFixed(1)}x engine vs secretlint net`,
    );
  }
  if (rg) {
    console.log(
      `keywarden / ripgrep (keywords only): ${(kw.mbps / rg.mbps).toFixed(2)}x wall, ${(kw.netMbps / rg.netMbps).toFixed(2)}x net, engine ${(mb / engineSeconds / rg.netMbps).toFixed(2)}x`,
    );
  }
}
