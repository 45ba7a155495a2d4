import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";

import { createSession, listSessions } from "../api/client.gen";
import { UserSessionStatus, type UserSessionInfo } from "../api/types.gen";
import { useWorkflowEvents } from "../lib/events";
import { formatTime } from "../lib/format";
import { navigate } from "../lib/route";
import { ErrorBanner, Field, StatusBadge, useAction } from "./common";

const CHANGED = "missions:sessions-changed";

/** Tells the session list to read the sessions again (after a rename, say). */
export function sessionsChanged(): void {
  window.dispatchEvent(new Event(CHANGED));
}

/** The user's sessions, most recently active first, and the form that starts one. */
export function SessionList({ activeId }: { activeId: string | null }) {
  const [sessions, setSessions] = useState<UserSessionInfo[] | null>(null);
  const [showArchived, setShowArchived] = useState(false);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const { busy, problem, setProblem, run } = useAction();

  const load = useCallback(() => {
    listSessions({ limit: 100 })
      .then((page) => setSessions(page.items))
      .catch(() => undefined);
  }, []);

  useEffect(load, [load, activeId]);
  useEffect(() => {
    window.addEventListener(CHANGED, load);
    return () => window.removeEventListener(CHANGED, load);
  }, [load]);
  // Status changes arrive in bursts while a hop runs: read the list once per burst.
  const pending = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(pending.current), []);
  useWorkflowEvents((event) => {
    if (event === null || event.entity === "session" || event.entity === "mission") {
      window.clearTimeout(pending.current);
      pending.current = window.setTimeout(load, 250);
    }
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const created = await run(() => createSession({ name: name.trim() || null }));
    if (created) {
      setName("");
      setCreating(false);
      load();
      navigate({ name: "session", sessionId: created.id });
    }
  };

  const archivedCount = (sessions ?? []).filter((session) => session.status === UserSessionStatus.ARCHIVED).length;
  const visible = (sessions ?? []).filter((session) => showArchived || session.status !== UserSessionStatus.ARCHIVED);

  return (
    <nav className="sidebar" aria-label="Sessions">
      <div className="sidebar-head">
        <h2>Sessions</h2>
        <button
          type="button"
          className="primary small"
          onClick={() => {
            setCreating((value) => !value);
            setProblem(null);
          }}
        >
          New session
        </button>
      </div>
      {creating && (
        <form className="new-session" onSubmit={submit}>
          <ErrorBanner problem={problem} shownFields={["name"]} />
          <Field label="Name" problem={problem} path="name">
            <input name="session-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="Optional" autoFocus />
          </Field>
          <div className="row">
            <button type="submit" className="primary small" disabled={busy}>
              Create
            </button>
            <button type="button" className="small" onClick={() => setCreating(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {sessions === null ? (
        <p className="muted">Loading…</p>
      ) : visible.length === 0 ? (
        <p className="muted">No sessions yet.</p>
      ) : (
        <ul className="session-list">
          {visible.map((session) => (
            <li key={session.id}>
              <a
                href={`/sessions/${session.id}`}
                className={`session-item${session.id === activeId ? " selected" : ""}${session.status === UserSessionStatus.ARCHIVED ? " archived" : ""}`}
                aria-current={session.id === activeId ? "page" : undefined}
                onClick={(e) => {
                  e.preventDefault();
                  navigate({ name: "session", sessionId: session.id });
                }}
              >
                <span className="session-name">{session.name ?? "Untitled session"}</span>
                <span className="session-meta">
                  <StatusBadge status={session.status} />
                  <span className="muted">{formatTime(session.last_activity_at)}</span>
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {archivedCount > 0 && (
        <button type="button" className="link small" onClick={() => setShowArchived((value) => !value)}>
          {showArchived ? "Hide archived" : `Show archived (${archivedCount})`}
        </button>
      )}
    </nav>
  );
}
