import { parentPort, workerData } from 'node:worker_threads';
import type { FileEntry } from './files.js';
import { type BatchResult, scanBatch } from './scan-batch.js';

/**
 * Helper thread of a tree scan: claims batches from the counter it shares with the other threads
 * and answers each with its findings, until none is left; then it ends, which ends the thread.
 */
export interface WorkerData {
  batches: FileEntry[][];
  /** Next batch to claim: Atomics.add(counter, 0, 1), shared by every scanning thread. */
  counter: Int32Array;
  fingerprintKey?: string;
}

export interface WorkerReply extends BatchResult {
  id: number;
}

if (parentPort) {
  const { batches, counter, fingerprintKey } = workerData as WorkerData;
  for (let id = Atomics.add(counter, 0, 1); id < batches.length; id = Atomics.add(counter, 0, 1)) {
    const reply: WorkerReply = { id, ...scanBatch(batches[id] ?? [], fingerprintKey) };
    parentPort.postMessage(reply);
  }
}
