import { useEffect, useRef, useState } from "react";
import { Route, Switch, useLocation, useRoute } from "wouter";

import type { CurrentUser } from "../api/types.gen";
import { AuthScreen } from "../auth/AuthScreen";
import { useCurrentUser, useSignOut } from "../auth/hooks";
import { ConnectionsScreen } from "../connections/ConnectionsScreen";
import { ConnectionIndicator } from "../events/ConnectionIndicator";
import { EventsProvider } from "../events/EventsProvider";
import { SessionList } from "../sessions/SessionList";
import { SessionPage } from "../sessions/SessionPage";
import { ToolLabScreen } from "../toollab/ToolLabScreen";
import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { Home } from "./Home";
import { routes } from "./routes";

/** The screens of the top bar besides the sessions. */
const NAV_LINKS: readonly { path: string; label: string }[] = [
  { path: routes.connections, label: "Connections" },
  { path: routes.toolLab, label: "Tool lab" },
];

/** The app: the sign-in screens, or the signed-in layout with sessions and the session page. */
export function App() {
  const { data: current, error } = useCurrentUser();
  if (current === undefined) {
    return error ? (
      <main className="auth">
        <ErrorBanner problem={problemOf(error)} />
      </main>
    ) : (
      <main className="auth muted">Loading…</main>
    );
  }
  return current === null ? <SignedOut /> : <SignedIn current={current} />;
}

/** Signed out, every address shows the sign-in screen; `/sign-up` the account form. */
function SignedOut() {
  const [signingUp] = useRoute(routes.signUp);
  const [, navigate] = useLocation();
  return (
    <AuthScreen mode={signingUp ? "sign-up" : "sign-in"} onSignedIn={() => navigate(routes.home, { replace: true })} />
  );
}

function SignedIn({ current }: { current: CurrentUser }) {
  const [location, navigate] = useLocation();
  const [, session] = useRoute(routes.session);
  const signOut = useSignOut(() => navigate(routes.signIn, { replace: true }));
  // On a phone the sessions are a menu under the top bar, closed again by going somewhere.
  const [menuOpen, setMenuOpen] = useState(false);
  const shownAt = useRef(location);
  useEffect(() => {
    if (shownAt.current !== location) setMenuOpen(false);
    shownAt.current = location;
  }, [location]);

  return (
    <EventsProvider key={current.user.id}>
      <div className="layout">
        <header className="topbar">
          <a
            className="brand"
            href={routes.home}
            onClick={(e) => {
              e.preventDefault();
              navigate(routes.home);
            }}
          >
            Missions
          </a>
          <button
            type="button"
            className="menu-toggle small"
            aria-expanded={menuOpen}
            aria-controls="sessions-menu"
            onClick={() => setMenuOpen((open) => !open)}
          >
            Sessions
          </button>
          <nav className="topbar-links">
            {NAV_LINKS.map(({ path, label }) => (
              <a
                key={path}
                href={path}
                onClick={(e) => {
                  e.preventDefault();
                  navigate(path);
                }}
              >
                {label}
              </a>
            ))}
          </nav>
          <div className="topbar-right">
            <ConnectionIndicator />
            <span className="muted user-email">{current.user.email}</span>
            <button type="button" onClick={() => signOut.mutate()}>
              Sign out
            </button>
          </div>
        </header>
        <SessionList id="sessions-menu" open={menuOpen} activeId={session?.sessionId ?? null} />
        <main className="content">
          <Switch>
            <Route path={routes.connections}>
              <ConnectionsScreen />
            </Route>
            <Route path={routes.toolLab}>
              <ToolLabScreen />
            </Route>
            <Route path={routes.session}>
              {(params) => <SessionPage key={params.sessionId} sessionId={params.sessionId} />}
            </Route>
            {/* The home page; signed in, the sign-in addresses show it too. */}
            <Route>
              <Home />
            </Route>
          </Switch>
        </main>
      </div>
    </EventsProvider>
  );
}
