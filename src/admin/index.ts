// The admin API: routes as data, roles, sessions, CSRF, fresh MFA, the OpenAPI document.

export type { AdminServices, KeyOps } from './admin-services.js';
export {
  approvalExecutors,
  canonical,
  gated,
  hold,
  PendingChange,
  pendingAnswer,
  pendingView,
  sealCredential,
} from './gated-changes.js';
export { buildOpenApi, openApiPath } from './openapi.js';
export { allows, PERMISSIONS, type Permission, ROLE_PERMISSIONS } from './permissions.js';
export type { AdminRoute, Method, ServerEvent } from './route-types.js';
export { adminRoutes } from './routes/index.js';
export {
  type AdminServer,
  type AdminServerOptions,
  type AdminTls,
  CSRF_COOKIE,
  CSRF_HEADER,
  createAdminServer,
  OTP_HEADER,
  SESSION_COOKIE,
} from './server.js';
