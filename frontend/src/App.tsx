import { useCallback, useEffect, useState } from "react";

import { ApiError, getActiveSession, getCurrentUser, signOut } from "./api/client.gen";
import type { CurrentUser } from "./api/types.gen";
import { AuthScreen } from "./components/AuthScreen";
import { ErrorBanner } from "./components/common";
import { ConnectionIndicator } from "./components/ConnectionIndicator";
import { SessionList } from "./components/SessionList";
import { SessionPage } from "./components/SessionPage";
import { SIGNED_OUT_EVENT, toProblem, type Problem } from "./lib/errors";
import { EventsProvider } from "./lib/events";
import { navigate, useRoute } from "./lib/route";

/** The app: the sign-in screens, or the signed-in layout with sessions and the session page. */
export function App() {
  const route = useRoute();
  const [current, setCurrent] = useState<CurrentUser | null | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    getCurrentUser()
      .then(setCurrent)
      .catch((caught: unknown) => {
        if (caught instanceof ApiError && caught.status === 401) setCurrent(null);
        else setProblem(toProblem(caught));
      });
  }, []);

  // Any request answered 401 (an expired or closed sign-in) leads back to the sign-in screen.
  useEffect(() => {
    const signedOut = () => setCurrent((user) => (user ? null : user));
    window.addEventListener(SIGNED_OUT_EVENT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, signedOut);
  }, []);

  const onSignedIn = useCallback((user: CurrentUser) => {
    setCurrent(user);
    navigate({ name: "home" }, { replace: true });
  }, []);

  const onSignOut = useCallback(async () => {
    try {
      await signOut();
    } catch {
      // Signed out already (an expired session): the sign-in screen is right either way.
    }
    setCurrent(null);
    navigate({ name: "sign-in" }, { replace: true });
  }, []);

  if (current === undefined) {
    return problem ? (
      <main className="auth">
        <ErrorBanner problem={problem} />
      </main>
    ) : (
      <main className="auth muted">Loading…</main>
    );
  }
  if (current === null) {
    return <AuthScreen mode={route.name === "sign-up" ? "sign-up" : "sign-in"} onSignedIn={onSignedIn} />;
  }

  return (
    <EventsProvider key={current.user.id}>
      <div className="layout">
        <header className="topbar">
          <a
            className="brand"
            href="/"
            onClick={(e) => {
              e.preventDefault();
              navigate({ name: "home" });
            }}
          >
            Missions
          </a>
          <div className="topbar-right">
            <ConnectionIndicator />
            <span className="muted user-email">{current.user.email}</span>
            <button type="button" onClick={onSignOut}>
              Sign out
            </button>
          </div>
        </header>
        <SessionList activeId={route.name === "session" ? route.sessionId : null} />
        <main className="content">{route.name === "session" ? <SessionPage key={route.sessionId} sessionId={route.sessionId} /> : <Home />}</main>
      </div>
    </EventsProvider>
  );
}

/** Opens the active session; without one, invites the user to start a session. */
function Home() {
  const [none, setNone] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    getActiveSession({ signal: controller.signal })
      .then((session) => navigate({ name: "session", sessionId: session.id }, { replace: true }))
      .catch((caught: unknown) => {
        if (caught instanceof ApiError && caught.status === 404) setNone(true);
        else if (!controller.signal.aborted) setProblem(toProblem(caught));
      });
    return () => controller.abort();
  }, []);
  if (problem) return <ErrorBanner problem={problem} />;
  if (!none) return <p className="muted">Opening your active session…</p>;
  return (
    <div className="empty-state">
      <h2>No active session</h2>
      <p className="muted">Start a session with “New session” to chat and run a mission.</p>
    </div>
  );
}
