import type { Alert } from './monitor-types.js';
import type { RuleId } from './rule-ids.js';

/** What a rule or detector produces; the monitor adds id, time and the configured severity. */
export interface AlertDraft extends Omit<Alert, 'id' | 'at' | 'rule' | 'severity'> {
  rule: RuleId;
}

export type { Alert };

/** Untrusted text (symbols, endpoints, messages from a request) clipped and stripped of control characters. */
export function clip(value: string, max = 120): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const clean = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
