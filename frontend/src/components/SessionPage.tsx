import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";

import { archiveSession, getSession, updateSession } from "../api/client.gen";
import { UserSessionStatus, type UserSession } from "../api/types.gen";
import { toProblem, type Problem } from "../lib/errors";
import { StepProgressContext, useWorkflowEvents } from "../lib/events";
import { formatTime } from "../lib/format";
import { Chat } from "./Chat";
import { ErrorBanner, Field, StatusBadge, useAction } from "./common";
import { MissionPanel } from "./MissionPanel";
import { sessionsChanged } from "./SessionList";

/** One session: its header (rename, archive), the chat beside the mission panel. Live events
 * about the session or its mission read the session again. */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const [session, setSession] = useState<UserSession | null>(null);
  const [loadProblem, setLoadProblem] = useState<Problem | null>(null);
  const [version, setVersion] = useState(0);
  const [progress, setProgress] = useState<ReadonlyMap<string, string>>(new Map());
  const latestRequest = useRef(0);
  const pending = useRef<number | undefined>(undefined);

  const refresh = useCallback(async () => {
    const request = ++latestRequest.current;
    try {
      const loaded = await getSession(sessionId);
      // An older read finishing late must not overwrite a newer one.
      if (request !== latestRequest.current) return;
      setSession(loaded);
      setLoadProblem(null);
      setVersion((value) => value + 1);
    } catch (caught) {
      if (request === latestRequest.current) setLoadProblem(toProblem(caught));
    }
  }, [sessionId]);

  useEffect(() => {
    void refresh();
    return () => window.clearTimeout(pending.current);
  }, [refresh]);

  // Events come in bursts (a transition announces every entity it changed): read once per burst.
  const scheduleRefresh = useCallback(() => {
    window.clearTimeout(pending.current);
    pending.current = window.setTimeout(() => void refresh(), 60);
  }, [refresh]);

  const missionId = session?.mission_id ?? null;
  useWorkflowEvents((event) => {
    if (event === null) return scheduleRefresh();
    if (event.entity === "tool_step" && event.progress) {
      const text = event.progress;
      setProgress((current) => new Map(current).set(event.id, text));
    }
    const concernsSession = event.entity === "session" && event.id === sessionId;
    const concernsMission = missionId !== null && (event.mission_id === missionId || (event.entity === "mission" && event.id === missionId));
    if (concernsSession || concernsMission) scheduleRefresh();
  });

  const title = session ? (session.name ?? "Untitled session") : null;
  useEffect(() => {
    if (title) document.title = `${title} · Missions`;
    return () => {
      document.title = "Missions";
    };
  }, [title]);

  if (loadProblem && !session) return <ErrorBanner problem={loadProblem} />;
  if (!session) return <p className="muted">Loading session…</p>;

  return (
    <div className="session-page">
      <SessionHeader session={session} onChanged={(updated) => { setSession(updated); sessionsChanged(); }} />
      <div className="session-columns">
        <Chat session={session} />
        <StepProgressContext.Provider value={progress}>
          <MissionPanel session={session} version={version} onChanged={refresh} />
        </StepProgressContext.Provider>
      </div>
    </div>
  );
}

function SessionHeader({ session, onChanged }: { session: UserSession; onChanged: (session: UserSession) => void }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(session.name ?? "");
  const { busy, problem, setProblem, run } = useAction();

  const rename = async (event: FormEvent) => {
    event.preventDefault();
    const updated = await run(() => updateSession(session.id, { name: name.trim() || null }));
    if (updated) {
      setEditing(false);
      onChanged(updated);
    }
  };
  const archive = async () => {
    const updated = await run(() => archiveSession(session.id));
    if (updated) onChanged(updated);
  };

  return (
    <div className="session-header">
      {editing ? (
        <form className="rename" onSubmit={rename}>
          <Field label="Session name" problem={problem} path="name">
            <input name="rename" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
          </Field>
          <button type="submit" className="primary small" disabled={busy}>
            Save
          </button>
          <button type="button" className="small" onClick={() => { setEditing(false); setProblem(null); }}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="session-title">
          <h1>{session.name ?? "Untitled session"}</h1>
          <StatusBadge status={session.status} />
          <span className="muted small-text">last active {formatTime(session.last_activity_at)}</span>
        </div>
      )}
      {!editing && (
        <div className="row">
          <button type="button" className="small" onClick={() => { setName(session.name ?? ""); setEditing(true); }}>
            Rename
          </button>
          {session.status !== UserSessionStatus.ARCHIVED && (
            <button type="button" className="small" onClick={archive} disabled={busy}>
              Archive
            </button>
          )}
        </div>
      )}
      <ErrorBanner problem={problem} shownFields={["name"]} />
    </div>
  );
}
