import type { ResourceSpec } from "../api/types.gen";
import { useConnections } from "./hooks";

/** Which saved connection a step uses for a resource: one of the user's connections of the
 * resource's type, or "" for the step's own values. */
export function ConnectionPicker({
  name,
  resource,
  value,
  onChange,
}: {
  name: string;
  resource: ResourceSpec;
  value: string;
  onChange: (connectionId: string) => void;
}) {
  const connections = useConnections(resource.type);
  return (
    <label className="field inline">
      <span className="field-label">Connection</span>
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">values of this step</option>
        {(connections.data ?? []).map((connection) => (
          <option key={connection.id} value={connection.id}>
            {connection.name}
          </option>
        ))}
      </select>
    </label>
  );
}
