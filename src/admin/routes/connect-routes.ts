/**
 * How a bot reaches a client through the gateway: the gateway URL and the CCXT options that
 * point an unmodified CCXT exchange class at it (the exchange adapter's override). The dashboard
 * joins these to the credential it was just shown, once, to print a ready CCXT snippet; nothing
 * here is secret.
 */
import { z } from 'zod';
import { KeywardenError } from '../../core/index.js';
import { adapterFor } from '../../exchanges/index.js';
import type { AdminServices } from '../admin-services.js';
import { route } from '../route-types.js';
import { refParams } from './schemas.js';

export function connectRoutes(s: AdminServices) {
  return [
    route({
      method: 'GET',
      url: '/api/v1/clients/:ref/connect',
      id: 'clients.connect',
      summary: "The gateway URL and the CCXT options for a client's bot (no credential)",
      tag: 'clients',
      permission: 'clients.read',
      params: refParams,
      response: z.object({
        exchange: z.string(),
        gatewayUrl: z.string(),
        ccxtClass: z.string(),
        ccxtOptions: z.record(z.string(), z.unknown()),
      }),
      async handler({ params, actor }) {
        if (!actor) throw new KeywardenError('session_required');
        const c = await s.clientsFor(actor).get(params.ref);
        if (!c) throw new KeywardenError('not_found', `no client ${params.ref}`);
        const gatewayUrl = (s.gatewayUrl ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
        return {
          exchange: c.exchange,
          gatewayUrl,
          ccxtClass: c.exchange,
          ccxtOptions: adapterFor(c.exchange).ccxtOverride(`${gatewayUrl}/${c.exchange}`),
        };
      },
    }),
  ];
}
