/** The shell: sign-in until there is a session, then the navigation and the current page. */
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, get, type Me, post } from './api';
import { SignIn } from './pages/SignIn';
import { Link, navigate, usePath } from './router';
import { type Session, SessionContext } from './session';

const Overview = lazy(() => import('./pages/Overview'));
const Keys = lazy(() => import('./pages/Keys'));
const Clients = lazy(() => import('./pages/Clients'));
const Feed = lazy(() => import('./pages/Feed'));
const Alerts = lazy(() => import('./pages/Alerts'));
const Audit = lazy(() => import('./pages/Audit'));
const Posture = lazy(() => import('./pages/Posture'));
const Lockdown = lazy(() => import('./pages/Lockdown'));
const Approvals = lazy(() => import('./pages/Approvals'));
const Operators = lazy(() => import('./pages/Operators'));

interface PageDef {
  path: string;
  title: string;
  /** The permission a page needs to be listed (the API refuses anyway). */
  needs: string;
  view: React.ComponentType;
  ownerOnly?: boolean;
}

const PAGES: PageDef[] = [
  { path: '/', title: 'Overview', needs: 'audit.read', view: Overview },
  { path: '/keys', title: 'Keys', needs: 'keys.read', view: Keys },
  { path: '/clients', title: 'Clients', needs: 'clients.read', view: Clients },
  { path: '/feed', title: 'Live feed', needs: 'audit.read', view: Feed },
  { path: '/alerts', title: 'Alerts', needs: 'alerts.read', view: Alerts },
  { path: '/audit', title: 'Audit', needs: 'audit.read', view: Audit },
  { path: '/posture', title: 'Posture', needs: 'posture.read', view: Posture },
  { path: '/lockdown', title: 'Lockdown', needs: 'lockdown.engage', view: Lockdown },
  { path: '/approvals', title: 'Approvals', needs: 'approvals.read', view: Approvals },
  { path: '/operators', title: 'Operators', needs: 'operators.write', view: Operators, ownerOnly: true },
];

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const path = usePath();
  const main = useRef<HTMLElement>(null);

  const signOut = useCallback(() => {
    void post('/auth/logout').finally(() => {
      setSession(null);
      navigate('/');
    });
  }, []);

  const load = useCallback(async () => {
    try {
      const me = await get<Me>('/auth/me');
      const p = await get<{ permissions: string[] }>('/auth/permissions');
      const permissions = new Set(p.permissions);
      setSession({ me, permissions, can: (x) => permissions.has(x), signOut });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setSession(null);
      else setSession(null);
    }
  }, [signOut]);

  useEffect(() => {
    void load();
  }, [load]);

  // Moving between pages puts focus on the new page's heading (screen readers announce it).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every page change
  useEffect(() => {
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [path]);

  const pages = useMemo(
    () =>
      session
        ? PAGES.filter((p) => session.can(p.needs) && (!p.ownerOnly || session.me.role === 'owner'))
        : [],
    [session],
  );

  if (session === undefined) return <p aria-busy="true">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={() => void load()} />;
  const page = pages.find((p) => p.path === path) ?? pages[0];
  const View = page?.view;
  return (
    <SessionContext.Provider value={session}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">keywarden</span>
        <span className="who" data-testid="who">
          {session.me.name} · {session.me.role}
        </span>
        <button type="button" onClick={session.signOut}>
          Sign out
        </button>
      </header>
      <div className="layout">
        <nav aria-label="Dashboard">
          <ul>
            {pages.map((p) => (
              <li key={p.path}>
                <Link to={p.path} current={p === page}>
                  {p.title}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" ref={main} tabIndex={-1}>
          <Suspense fallback={<p aria-busy="true">Loading…</p>}>
            {View ? <View /> : <p>No pages for this role.</p>}
          </Suspense>
        </main>
      </div>
    </SessionContext.Provider>
  );
}
