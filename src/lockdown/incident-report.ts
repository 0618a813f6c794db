/**
 * The incident report a lockdown writes: its data collected from the audit trail
 * (incident-data.ts), rendered as Markdown (incident-markdown.ts), written owner-only.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AnyStore } from '../store/index.js';
import { collectIncidentData, type IncidentInput } from './incident-data.js';
import { renderIncidentMarkdown } from './incident-markdown.js';

export type { IncidentInput } from './incident-data.js';
export { mdCode, mdText } from './incident-markdown.js';

/** The report as Markdown. */
export async function buildIncidentReport(store: AnyStore, input: IncidentInput): Promise<string> {
  return renderIncidentMarkdown(await collectIncidentData(store, input));
}

/** `20250102T030405Z` */
function stamp(t: number): string {
  return `${new Date(t).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/**
 * Write the report to `<dataDir>/incidents/<timestamp>-<lockdown id>.md` (0600, never
 * overwritten); returns its path. The data directory is this process's own (on PostgreSQL
 * nothing there is shared): the report lands on the host that ran the lockdown.
 */
export async function writeIncidentReport(store: AnyStore, input: IncidentInput): Promise<string> {
  const text = await buildIncidentReport(store, input);
  const dir = join(store.dataDir, 'incidents');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${stamp(input.lockdown.startedAt)}-${input.lockdown.id}.md`);
  writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return path;
}
