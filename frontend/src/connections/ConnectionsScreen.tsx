import { useState } from "react";

import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { ConnectionForm } from "./ConnectionForm";
import { ConnectionItem } from "./ConnectionItem";
import { useConnections, useResourceTypes } from "./hooks";
import "./connections.css";

/** The user's saved connections: list, create (of a resource type), check, edit, delete. */
export function ConnectionsScreen() {
  const types = useResourceTypes();
  const connections = useConnections();
  const [creating, setCreating] = useState<string | null>(null);
  const byType = new Map((types.data ?? []).map((type) => [type.type, type]));
  const newType = creating ? byType.get(creating) : undefined;

  return (
    <section className="connections" aria-label="Connections">
      <h2>Connections</h2>
      <p className="muted">
        Save the address and credentials of a service once, then pick the connection in any step that needs it. Secret
        values are stored encrypted and never shown again; a change applies to every step from its next run.
      </p>
      <ErrorBanner problem={problemOf(types.error ?? connections.error)} />
      <div className="form-actions">
        <label className="field inline">
          <span className="field-label">New connection of type</span>
          <select
            name="new-connection-type"
            value={creating ?? ""}
            onChange={(e) => setCreating(e.target.value || null)}
          >
            <option value="">choose…</option>
            {(types.data ?? []).map((type) => (
              <option key={type.type} value={type.type}>
                {type.name} ({type.type})
              </option>
            ))}
          </select>
        </label>
      </div>
      {newType && <ConnectionForm key={newType.type} type={newType} onDone={() => setCreating(null)} />}
      {connections.data && connections.data.length === 0 && <p className="muted">No connections yet.</p>}
      <ul className="connection-list">
        {(connections.data ?? []).map((connection) => (
          <ConnectionItem key={connection.id} connection={connection} type={byType.get(connection.resource_type)} />
        ))}
      </ul>
    </section>
  );
}
