import { type FormEvent, useState } from "react";
import { Link, useLocation } from "wouter";

import { UserSessionStatus } from "../api/types.gen";
import { sessionPath } from "../app/routes";
import { ErrorBanner } from "../ui/ErrorBanner";
import { Field } from "../ui/Field";
import { formatTime } from "../ui/format";
import { problemOf } from "../ui/problem";
import { StatusBadge } from "../ui/StatusBadge";
import { useCreateSession, useSessions } from "./hooks";

/** The user's sessions, most recently active first, and the form that starts one. On a phone
 * it is a menu under the top bar, shown while `open`. */
export function SessionList({ id, open, activeId }: { id: string; open: boolean; activeId: string | null }) {
  const { data: sessions } = useSessions();
  const [showArchived, setShowArchived] = useState(false);
  const [creating, setCreating] = useState(false);

  const archivedCount = (sessions ?? []).filter((session) => session.status === UserSessionStatus.ARCHIVED).length;
  const visible = (sessions ?? []).filter((session) => showArchived || session.status !== UserSessionStatus.ARCHIVED);

  return (
    <nav id={id} className={`sidebar${open ? " open" : ""}`} aria-label="Sessions">
      <div className="sidebar-head">
        <h2>Sessions</h2>
        <button type="button" className="primary small" onClick={() => setCreating((value) => !value)}>
          New session
        </button>
      </div>
      {creating && <NewSession key="new" onDone={() => setCreating(false)} />}
      {sessions === undefined ? (
        <p className="muted">Loading…</p>
      ) : visible.length === 0 ? (
        <p className="muted">No sessions yet.</p>
      ) : (
        <ul className="session-list">
          {visible.map((session) => (
            <li key={session.id}>
              <Link
                href={sessionPath(session.id)}
                className={`session-item${session.id === activeId ? " selected" : ""}${session.status === UserSessionStatus.ARCHIVED ? " archived" : ""}`}
                aria-current={session.id === activeId ? "page" : undefined}
              >
                <span className="session-name">{session.name ?? "Untitled session"}</span>
                <span className="session-meta">
                  <StatusBadge status={session.status} entity="session" />
                  <span className="muted">{formatTime(session.last_activity_at)}</span>
                </span>
              </Link>
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

/** Starts a session with an optional name and opens it. */
function NewSession({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState("");
  const create = useCreateSession();
  const [, navigate] = useLocation();
  const problem = problemOf(create.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim() || null },
      {
        onSuccess: (created) => {
          navigate(sessionPath(created.id));
          onDone();
        },
      },
    );
  };

  return (
    <form className="new-session" onSubmit={submit}>
      <ErrorBanner problem={problem} shownFields={["name"]} />
      <Field label="Name" problem={problem} path="name">
        <input
          name="session-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Optional"
          // biome-ignore lint/a11y/noAutofocus: the form opens on the person's click on New session, to type the name
          autoFocus
        />
      </Field>
      <div className="row">
        <button type="submit" className="primary small" disabled={create.isPending}>
          Create
        </button>
        <button type="button" className="small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
