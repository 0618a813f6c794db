/** Rows the store-level tests insert (test/store/*.test.ts). */
import type { Database } from '../../src/store/index.js';

export const T0 = 1_764_000_000_000;

export const client = (id: string, name: string): Database['clients'] => ({
  id,
  name,
  exchange: 'binance',
  key_id: 'k1',
  environment: 'prod',
  status: 'active',
  policy_json: '{}',
  ip_allow_json: '[]',
  rate_per_second: 2.5,
  expires_at: null,
  created_at: T0,
  updated_at: T0,
  version: 1,
  third_party_json: null,
});

export const credential = (id: string, clientId: string): Database['client_credentials'] => ({
  id,
  client_id: clientId,
  api_key_id: `kw_${id}`,
  verifier_envelope: 'v',
  token_hash: `h-${id}`,
  status: 'active',
  not_after: null,
  created_at: T0,
});
