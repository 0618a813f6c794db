/** The approvals domain: the two-person rule for dangerous operations, and withdrawals held for a decision. */
export { createApprovals, describeRequester } from './approvals-service.js';
export {
  APPROVAL_STATUSES,
  type Approval,
  type ApprovalDecision,
  type ApprovalExecutor,
  type ApprovalExecutors,
  type ApprovalKind,
  type ApprovalRequest,
  type ApprovalStatus,
  type ApprovalsDeps,
  type ApprovalsService,
  type ClientRequester,
  type Requester,
} from './approvals-types.js';
