import { type FormEvent, useState } from "react";
import type { UserSession } from "../api/types.gen";
import { ErrorBanner } from "../ui/ErrorBanner";
import { Field } from "../ui/Field";
import { formatTime } from "../ui/format";
import { problemOf } from "../ui/problem";
import { StatusBadge } from "../ui/StatusBadge";
import { buttonActions } from "../workflow/actions";
import { TransitionButtons } from "../workflow/TransitionButtons";
import { useArchiveSession, useUpdateSession } from "./hooks";

/** The session's name and status, with rename and archive. */
export function SessionHeader({ session }: { session: UserSession }) {
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(session.name ?? "");
  const rename = useUpdateSession(session.id);
  const archive = useArchiveSession(session.id);
  const busy = rename.isPending || archive.isPending;
  const problem = problemOf(rename.error ?? archive.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    archive.reset();
    rename.mutate({ name: name.trim() || null }, { onSuccess: () => setEditing(false) });
  };

  return (
    <div className="session-header">
      {editing ? (
        <form className="rename" onSubmit={submit}>
          <Field label="Session name" problem={problem} path="name">
            <input
              name="rename"
              value={name}
              onChange={(e) => setName(e.target.value)}
              // biome-ignore lint/a11y/noAutofocus: the form opens on the person's click on Rename, to type the name
              autoFocus
            />
          </Field>
          <button type="submit" className="primary small" disabled={busy}>
            Save
          </button>
          <button
            type="button"
            className="small"
            onClick={() => {
              setEditing(false);
              rename.reset();
            }}
          >
            Cancel
          </button>
        </form>
      ) : (
        <div className="session-title">
          <h1>{session.name ?? "Untitled session"}</h1>
          <StatusBadge status={session.status} entity="session" />
          <span className="muted small-text">last active {formatTime(session.last_activity_at)}</span>
        </div>
      )}
      {!editing && (
        <div className="row">
          <button
            type="button"
            className="small"
            onClick={() => {
              setName(session.name ?? "");
              setEditing(true);
            }}
          >
            Rename
          </button>
          <TransitionButtons
            actions={buttonActions("session", session.status)}
            subject={`the session “${session.name ?? "Untitled session"}”`}
            busy={busy}
            onPerform={() => {
              rename.reset();
              return archive.mutateAsync();
            }}
          />
        </div>
      )}
      <ErrorBanner problem={problem} shownFields={["name"]} />
    </div>
  );
}
