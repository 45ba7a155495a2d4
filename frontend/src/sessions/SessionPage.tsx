import { useEffect } from "react";

import { Chat } from "../chat/Chat";
import { MissionPanel } from "../missions/MissionPanel";
import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { useSession } from "./hooks";
import { SessionHeader } from "./SessionHeader";

/** One session: its header (rename, archive), the chat beside the mission panel. */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const { data: session, error } = useSession(sessionId);

  const title = session ? (session.name ?? "Untitled session") : null;
  useEffect(() => {
    if (title) document.title = `${title} · Missions`;
    return () => {
      document.title = "Missions";
    };
  }, [title]);

  if (error && !session) return <ErrorBanner problem={problemOf(error)} />;
  if (!session) return <p className="muted">Loading session…</p>;

  return (
    <div className="session-page">
      <SessionHeader session={session} />
      <div className="session-columns">
        <Chat session={session} />
        <MissionPanel session={session} />
      </div>
    </div>
  );
}
