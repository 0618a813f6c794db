import type { AlertDraft } from '../alert-draft.js';
import type { RequestEvent } from '../monitor-types.js';

/**
 * One anomaly detector's state for one client. It learns from every event it sees and
 * raises only when `armed` (the client's warm-up is over), so a new client does not
 * flood the sinks while its baseline forms.
 */
export interface ClientDetector {
  observe(event: RequestEvent & { client: string }, armed: boolean): AlertDraft | undefined;
}
