// Every admin route, in one list: the server registers it, the OpenAPI document and the meta-test read it.
import type { AdminServices } from '../admin-services.js';
import type { AdminRoute } from '../route-types.js';
import { approvalRoutes } from './approval-routes.js';
import { authRoutes } from './auth-routes.js';
import { clientRoutes } from './client-routes.js';
import { connectRoutes } from './connect-routes.js';
import { feedRoutes } from './feed-routes.js';
import { keyRoutes } from './key-routes.js';
import { operatorRoleRoutes } from './operator-role-routes.js';
import { operatorRoutes } from './operator-routes.js';
import { oversightRoutes } from './oversight-routes.js';
import { overviewRoutes } from './overview-routes.js';
import { permissionRoutes } from './permission-routes.js';
import { policyRoutes } from './policy-routes.js';

export function adminRoutes(s: AdminServices): AdminRoute[] {
  return [
    ...authRoutes(s.operators),
    ...operatorRoutes(s.operators),
    ...keyRoutes(s),
    ...clientRoutes(s),
    ...oversightRoutes(s),
    ...approvalRoutes(s),
    ...feedRoutes(s),
    ...overviewRoutes(s),
    ...permissionRoutes(),
    ...connectRoutes(s),
    ...policyRoutes(s),
    ...operatorRoleRoutes(s),
  ];
}
