/** The posture domain: every key and client against the hygiene checklist, with the fix for each failing item. */

export { buildPostureReport, scoreOf } from './posture.js';
export { type CommandBuilder, commandBuilder } from './posture-fixes.js';
export { escapeHtml, renderPostureHtml } from './posture-html.js';
export { collectPostureData, type PostureSources } from './posture-store.js';
export { renderPostureTable, terminalSafe, wrap } from './posture-table.js';
export {
  CHECK_IDS,
  type CheckId,
  type CheckItem,
  type CheckSeverity,
  type CheckStatus,
  type ClientPosture,
  type Fix,
  type KeyPosture,
  type MonitorView,
  type PostureInput,
  type PostureReport,
  SEVERITY_WEIGHT,
} from './posture-types.js';
