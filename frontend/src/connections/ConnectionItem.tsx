import { useState } from "react";

import type { Connection, ResourceType } from "../api/types.gen";
import { ErrorBanner } from "../ui/ErrorBanner";
import { formatTime } from "../ui/format";
import { problemOf } from "../ui/problem";
import { RichText } from "../ui/RichText";
import { ConnectionForm } from "./ConnectionForm";
import { useCheckConnection, useDeleteConnection } from "./hooks";

const CHECK_WORDS: Record<Connection["check_status"], string> = {
  unchecked: "not checked yet",
  succeeded: "works",
  failed: "does not work",
  unavailable: "cannot be checked",
};

/** One saved connection: its values (secrets only as "set"), its last check, and the
 * actions check, edit and delete (refused, naming the steps, while steps use it). */
export function ConnectionItem({ connection, type }: { connection: Connection; type: ResourceType | undefined }) {
  const [editing, setEditing] = useState(false);
  const check = useCheckConnection(connection.id);
  const remove = useDeleteConnection(connection.id);
  return (
    <li className="connection" data-connection-id={connection.id}>
      <div className="connection-head">
        <strong>{connection.name}</strong> <span className="type-tag">{type?.name ?? connection.resource_type}</span>
        <span className={`check check-${connection.check_status}`}>{CHECK_WORDS[connection.check_status]}</span>
      </div>
      <ul className="connection-values small-text">
        {Object.entries(connection.values).map(([name, value]) => (
          <li key={`v-${name}`}>
            <code>{name}</code> {String(value)}
          </li>
        ))}
        {Object.entries(connection.secrets).map(([name, set]) => (
          <li key={`s-${name}`}>
            <code>{name}</code> {set ? "set" : "not set"}
          </li>
        ))}
      </ul>
      {connection.check_message && (
        <p className="muted small-text connection-check-message">
          <RichText text={connection.check_message} />
          {connection.checked_at && <> ({formatTime(connection.checked_at)})</>}
        </p>
      )}
      {editing && type ? (
        <ConnectionForm type={type} connection={connection} onDone={() => setEditing(false)} />
      ) : (
        <div className="form-actions">
          <button type="button" className="small" onClick={() => check.mutate()} disabled={check.isPending}>
            {check.isPending ? "Checking…" : "Check connection"}
          </button>
          <button type="button" className="small" onClick={() => setEditing(true)} disabled={!type}>
            Edit
          </button>
          <button type="button" className="small danger" onClick={() => remove.mutate()} disabled={remove.isPending}>
            Delete
          </button>
        </div>
      )}
      <ErrorBanner problem={problemOf(check.error ?? remove.error)} />
    </li>
  );
}
