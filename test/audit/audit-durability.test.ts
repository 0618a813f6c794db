import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../../src/audit/audit-verify.js';
import { openStore } from '../../src/store/db.js';

const DIST = join(import.meta.dirname, '../../dist');

// The child appends forever and prints each seq once append() resolved; it is then killed with SIGKILL.
const CHILD = `
const { createAuditLog, createCheckpointKey, createSigner } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'audit/index.js')).href)});
const { openStore } = await import(${JSON.stringify(pathToFileURL(join(DIST, 'store/db.js')).href)});
const store = await openStore(process.argv[1]);
const log = createAuditLog(store.sqlite, { hmac: (v) => 'h:' + v.length, signer: createSigner(createCheckpointKey().privateKeyPem), checkpointEvery: 50 });
for (let i = 0; ; i++) {
  const batch = await Promise.all([0, 1, 2, 3].map((j) => log.append({ kind: 'request', requestId: 'r' + i + '-' + j })));
  process.stdout.write(batch.map((r) => r.seq).join('\\n') + '\\n');
}
`;

describe('audit durability', () => {
  it('every record whose append() resolved survives kill -9 and the log still verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-audit-kill-'));
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.split('\n').length > 400) resolve();
      });
      child.on('exit', () => reject(new Error(`child exited early: ${err.split('\n')[0]}`)));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const acknowledged = out
      .split('\n')
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    const maxAcked = Math.max(...acknowledged);
    const store = await openStore(dir);
    const result = verifyAuditLog(store.sqlite);
    await store.close();
    expect(result.ok).toBe(true);
    expect(result.lastSeq).toBeGreaterThanOrEqual(maxAcked);
  });
});
