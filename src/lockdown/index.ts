/** The lockdown domain: freeze a key's clients at once, cancel open orders, alert, report; unlock exactly that. */
export { collectIncidentData, type IncidentData, type IncidentInput } from './incident-data.js';
export { mdCode, mdText, renderIncidentMarkdown } from './incident-markdown.js';
export { buildIncidentReport, writeIncidentReport } from './incident-report.js';
export { createLockdownService, type LockdownService } from './lockdown-service.js';
export {
  type CancelOutcome,
  DEFAULT_REPORT_HOURS,
  type LockdownClient,
  type LockdownDeps,
  type LockdownInput,
  type LockdownRecord,
  type LockdownResult,
  type LockdownScope,
  type UnlockInput,
  type UnlockResult,
} from './lockdown-types.js';
