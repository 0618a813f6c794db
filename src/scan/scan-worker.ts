import { parentPort } from 'node:worker_threads';
import { readTextFile } from './files.js';
import { scanText } from './scan-text.js';
import type { Finding } from './scan-types.js';

/** Worker side of the file pool: receives batches of files, answers with their findings. */
export interface WorkerBatch {
  id: number;
  files: Array<{ path: string; rel: string }>;
  fingerprintKey?: string;
}

export interface WorkerReply {
  id: number;
  findings: Finding[];
  binaries: number;
}

parentPort?.on('message', (batch: WorkerBatch) => {
  const findings: Finding[] = [];
  let binaries = 0;
  for (const f of batch.files) {
    let text: string | undefined;
    try {
      text = readTextFile(f.path);
    } catch {
      text = undefined;
    }
    if (text === undefined) {
      binaries++;
      continue;
    }
    findings.push(
      ...scanText(text, {
        file: f.rel,
        ...(batch.fingerprintKey ? { fingerprintKey: batch.fingerprintKey } : {}),
      }),
    );
  }
  const reply: WorkerReply = { id: batch.id, findings, binaries };
  parentPort?.postMessage(reply);
});
