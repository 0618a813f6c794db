/**
 * The incident report a lockdown writes: its data collected from the audit trail
 * (incident-data.ts), rendered as Markdown (incident-markdown.ts), written owner-only.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../store/index.js';
import { collectIncidentData, type IncidentInput } from './incident-data.js';
import { renderIncidentMarkdown } from './incident-markdown.js';

export type { IncidentInput } from './incident-data.js';
export { mdCode, mdText } from './incident-markdown.js';

/** The report as Markdown. */
export function buildIncidentReport(sqlite: Store['sqlite'], input: IncidentInput): string {
  return renderIncidentMarkdown(collectIncidentData(sqlite, input));
}

/** `20250102T030405Z` */
function stamp(t: number): string {
  return `${new Date(t).toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** Write the report to `<dataDir>/incidents/<timestamp>-<lockdown id>.md` (0600, never overwritten); returns its path. */
export function writeIncidentReport(store: Pick<Store, 'sqlite' | 'dataDir'>, input: IncidentInput): string {
  const dir = join(store.dataDir, 'incidents');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${stamp(input.lockdown.startedAt)}-${input.lockdown.id}.md`);
  writeFileSync(path, buildIncidentReport(store.sqlite, input), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return path;
}
