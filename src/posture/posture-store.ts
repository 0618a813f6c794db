import type { Kysely } from 'kysely';
import type { ClientService } from '../clients/index.js';
import type { KeyCheckStore, KeyRegistry } from '../keys/index.js';
import type { Database } from '../store/index.js';
import type { PostureInput } from './posture-types.js';

export interface PostureSources {
  keys: Pick<KeyRegistry, 'list'>;
  clients: Pick<ClientService, 'list'>;
  checks: Pick<KeyCheckStore, 'latest'>;
  db: Kysely<Database>;
}

/** The stored half of a posture input: keys, clients, their latest verifications and credential ages. */
export async function collectPostureData(
  src: PostureSources,
): Promise<Pick<PostureInput, 'keys' | 'clients' | 'checks' | 'credentialIssuedAt'>> {
  const [keys, clients, checks, issued] = await Promise.all([
    src.keys.list(),
    src.clients.list(),
    src.checks.latest(),
    // A client's credential age is that of its newest active credential (a re-roll resets it).
    src.db
      .selectFrom('client_credentials')
      .select(['client_id'])
      .select((eb) => eb.fn.max('created_at').as('issued_at'))
      .where('status', '=', 'active')
      .groupBy('client_id')
      .execute(),
  ]);
  return {
    keys,
    clients,
    checks,
    credentialIssuedAt: new Map(issued.map((r) => [r.client_id, Number(r.issued_at)])),
  };
}
