import { useEffect } from "react";
import { useLocation } from "wouter";

import { useActiveSession } from "../sessions/hooks";
import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { sessionPath } from "./routes";

/** Opens the active session; without one, invites the user to start a session. */
export function Home() {
  const { data: active, error, isFetchedAfterMount } = useActiveSession();
  const [, navigate] = useLocation();
  // Only an answer read for this visit counts: the active session may have changed since.
  const answer = isFetchedAfterMount ? active : undefined;

  useEffect(() => {
    if (answer) navigate(sessionPath(answer.id), { replace: true });
  }, [answer, navigate]);

  if (error) return <ErrorBanner problem={problemOf(error)} />;
  if (answer !== null) return <p className="muted">Opening your active session…</p>;
  return (
    <div className="empty-state">
      <h2>No active session</h2>
      <p className="muted">Start a session with “New session” to chat and run a mission.</p>
    </div>
  );
}
