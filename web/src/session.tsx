/** Who is signed in and what their role allows (from GET /auth/permissions), shared by every page. */
import { createContext, useContext } from 'react';
import type { Me } from './api';

export interface Session {
  me: Me;
  permissions: ReadonlySet<string>;
  can(permission: string): boolean;
  signOut(): void;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}
