/**
 * What each role may do (issue 13): every admin route names one permission, and this table is
 * the whole of the authorisation policy. `public` routes (login, enrolment, the OpenAPI
 * document) need no session; everything else needs an operator session or an API token.
 */
import type { Role } from '../core/index.js';

export const PERMISSIONS = [
  'public',
  'self',
  'keys.read',
  'keys.write',
  'clients.read',
  'clients.write',
  'clients.freeze',
  'policies.read',
  'audit.read',
  'alerts.read',
  'alerts.ack',
  'posture.read',
  'lockdown.engage',
  'lockdown.unlock',
  'operators.read',
  'operators.write',
  'tokens.read',
  'tokens.write',
  'system.read',
  'system.seal',
  'approvals.read',
  'approvals.decide',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const AUDITOR: Permission[] = ['self', 'audit.read', 'alerts.read', 'posture.read'];
const OPERATOR: Permission[] = [
  ...AUDITOR,
  'keys.read',
  'clients.read',
  'clients.freeze',
  'policies.read',
  'alerts.ack',
  'lockdown.engage',
  'operators.read',
  'tokens.read',
  'system.read',
  'approvals.read',
];
// Deciding an approval is the second person of the two-person rule: an admin or the owner.
const ADMIN: Permission[] = [
  ...OPERATOR,
  'keys.write',
  'clients.write',
  'lockdown.unlock',
  'tokens.write',
  'approvals.decide',
];

export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = Object.freeze({
  owner: new Set(PERMISSIONS.filter((p) => p !== 'public')),
  admin: new Set(ADMIN),
  operator: new Set(OPERATOR),
  auditor: new Set(AUDITOR),
});

export function allows(role: Role, permission: Permission): boolean {
  return permission === 'public' || ROLE_PERMISSIONS[role].has(permission);
}
