/** The lockdown domain: freeze a key's clients at once, cancel open orders, alert, report; unlock exactly that. */
export { collectIncidentData, type IncidentData, type IncidentInput } from './incident-data.js';
export { mdCode, mdText, renderIncidentMarkdown } from './incident-markdown.js';
export { buildIncidentReport, writeIncidentReport } from './incident-report.js';
export { createLockdownService, type LockdownService } from './lockdown-service.js';
export * from './lockdown-types.js';
