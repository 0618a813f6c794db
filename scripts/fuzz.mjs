// `npm run fuzz`: the differential policy tests (test/security/differential-<exchange>.test.ts)
// at ≥ 20,000 random cases per exchange. Each exchange runs in chunks of `--chunk` cases, each
// chunk a fresh vitest process with a fresh gateway, store and sandbox: a single 20,000-case run
// would issue 20,000 clients into one store and spend its time reloading them, not fuzzing.
// fast-check draws a new random seed per chunk; a failure prints its seed, path and counterexample,
// and `KW_FUZZ_SEED=<seed> KW_FUZZ_PATH=<path> npx vitest run test/security/differential-<exchange>.test.ts`
// replays that one case.
//   node scripts/fuzz.mjs [--total 20000] [--chunk 1000] [--parallel 2] [exchange ...]
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const [value] = args.splice(i, 2).slice(1);
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`fuzz: --${name} expects a positive integer, got ${value}\n`);
    process.exit(2);
  }
  return n;
};
const total = opt('total', 20_000);
const chunk = opt('chunk', 1_000);
const parallel = opt('parallel', 2);
// Every exchange that has a differential test: a new exchange is fuzzed once its test exists.
const ALL = readdirSync('test/security')
  .map((f) => /^differential-(.+)\.test\.ts$/.exec(f)?.[1])
  .filter((e) => e !== undefined)
  .sort();
const exchanges = args.length > 0 ? args : ALL;
for (const e of exchanges)
  if (!ALL.includes(e)) {
    process.stderr.write(`fuzz: unknown exchange ${e} (one of ${ALL.join(', ')})\n`);
    process.exit(2);
  }

function runChunk(exchange, runs) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(
      process.execPath,
      ['node_modules/vitest/vitest.mjs', 'run', `test/security/differential-${exchange}.test.ts`],
      { env: { ...process.env, KW_FUZZ_RUNS: String(runs) }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('close', (code) => resolve({ ok: code === 0, seconds: (Date.now() - started) / 1000, out }));
  });
}

async function fuzz(exchange) {
  let done = 0;
  let seconds = 0;
  while (done < total) {
    const runs = Math.min(chunk, total - done);
    const r = await runChunk(exchange, runs);
    seconds += r.seconds;
    if (!r.ok) {
      process.stdout.write(`${exchange}: FAILED after ${done} passing cases\n${r.out}\n`);
      return { exchange, cases: done, seconds, ok: false };
    }
    done += runs;
    process.stdout.write(`${exchange}: ${done}/${total} cases passed (${seconds.toFixed(0)} s)\n`);
  }
  return { exchange, cases: done, seconds, ok: true };
}

const queue = [...exchanges];
const results = [];
await Promise.all(
  Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    for (let e = queue.shift(); e !== undefined; e = queue.shift()) results.push(await fuzz(e));
  }),
);
process.stdout.write('\nexchange | cases | seconds | result\n');
for (const r of results)
  process.stdout.write(`${r.exchange} | ${r.cases} | ${r.seconds.toFixed(0)} | ${r.ok ? 'pass' : 'FAIL'}\n`);
const failed = results.filter((r) => !r.ok).length;
process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
