import type { CheckId, CheckItem, CheckSeverity, CheckStatus, Fix } from './posture-types.js';
import { SEVERITY_WEIGHT } from './posture-types.js';

/** One checklist item; the fix is kept only where there is something to fix (fail, unknown). */
export function item(
  id: CheckId,
  title: string,
  severity: CheckSeverity,
  status: CheckStatus,
  evidence: string,
  fix?: Fix,
): CheckItem {
  return {
    id,
    title,
    status,
    severity,
    weight: status === 'not_applicable' ? 0 : SEVERITY_WEIGHT[severity],
    evidence,
    ...(fix !== undefined && (status === 'fail' || status === 'unknown') ? { fix } : {}),
  };
}
