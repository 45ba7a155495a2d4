import { type FormEvent, useState } from "react";

import type { Connection, ResourceType } from "../api/types.gen";
import { ResourceFieldInput } from "../tools/ResourceFieldInput";
import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { useCreateConnection, useUpdateConnection } from "./hooks";
import { enteredValues } from "./values";

/** Create a connection of `type`, or edit `connection`: secret fields are write-only, shown
 * only as "set"; a field left empty keeps its stored value. */
export function ConnectionForm({
  type,
  connection,
  onDone,
}: {
  type: ResourceType;
  connection?: Connection;
  onDone: () => void;
}) {
  const [name, setName] = useState(connection?.name ?? "");
  const [texts, setTexts] = useState<Record<string, string>>({});
  const create = useCreateConnection();
  const update = useUpdateConnection(connection?.id ?? "");
  const saving = connection ? update : create;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const values = enteredValues(type.fields, texts);
    const done = { onSuccess: onDone };
    if (connection) update.mutate({ name, values }, done);
    else create.mutate({ name, resource_type: type.type, values }, done);
  };

  return (
    <form
      className="connection-form"
      onSubmit={submit}
      aria-label={connection ? `Edit ${connection.name}` : "New connection"}
    >
      <label className="field">
        <span className="field-label">Name</span>
        <input name="connection-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <div className="resource-fields">
        {type.fields.map((field) => {
          const set = field.secret
            ? connection?.secrets[field.name] === true
            : connection?.values[field.name] !== undefined;
          const placeholder = set
            ? field.secret
              ? "set (hidden; type to replace)"
              : String(connection?.values[field.name])
            : (field.description ?? field.type);
          return (
            <ResourceFieldInput
              key={field.name}
              name={`connection-${field.name}`}
              field={field}
              value={texts[field.name] ?? ""}
              placeholder={placeholder}
              onChange={(text) => setTexts((current) => ({ ...current, [field.name]: text }))}
            />
          );
        })}
      </div>
      <ErrorBanner problem={problemOf(saving.error)} />
      <div className="form-actions">
        <button type="submit" className="small primary" disabled={saving.isPending}>
          {connection ? "Save changes" : "Save connection"}
        </button>
        <button type="button" className="small" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
