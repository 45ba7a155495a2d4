import { type FormEvent, useState } from "react";
import { TRANSITIONS } from "../api/transitions.gen";
import type { ToolSpec, ToolStep } from "../api/types.gen";
import { ConnectionPicker } from "../connections/ConnectionPicker";
import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { useConfigureToolStep } from "./hooks";
import { ResourceFieldInput } from "./ResourceFieldInput";

/** The form that stores a step's resource values or the saved connection it uses for each
 * resource (configure_tool_step); secrets are stored encrypted and shown only as set. */
export function ConfigureStep({
  missionId,
  step,
  tool,
}: {
  missionId: string;
  step: ToolStep;
  tool: ToolSpec | undefined;
}) {
  const [values, setValues] = useState<Record<string, Record<string, string>>>({});
  const [picked, setPicked] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(step.resource_configs).map(([id, state]) => [id, state.connection_id ?? ""])),
  );
  const configure = useConfigureToolStep(missionId, step.id);
  if (!tool || tool.resource_dependencies.length === 0) return null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const resource_configs: Record<string, Record<string, unknown>> = {};
    const connections: Record<string, string | null> = {};
    for (const resource of tool.resource_dependencies) {
      const connection = picked[resource.id] ?? "";
      if (connection) {
        connections[resource.id] = connection;
        continue;
      }
      if (step.resource_configs[resource.id]?.connection_id) connections[resource.id] = null;
      const entered: Record<string, unknown> = {};
      for (const field of resource.fields) {
        const text = values[resource.id]?.[field.name] ?? "";
        if (text === "") continue;
        entered[field.name] =
          field.type === "integer" || field.type === "number"
            ? Number(text)
            : field.type === "boolean"
              ? text === "true"
              : text;
      }
      resource_configs[resource.id] = entered;
    }
    configure.mutate({ resource_configs, connections });
  };

  return (
    <form className="configure" onSubmit={submit} aria-label={`Configure ${step.name}`}>
      {tool.resource_dependencies.map((resource) => (
        <div key={resource.id}>
          <h5>{resource.name}</h5>
          <ConnectionPicker
            name={`configure-${resource.id}-connection`}
            resource={resource}
            value={picked[resource.id] ?? ""}
            onChange={(id) => setPicked((current) => ({ ...current, [resource.id]: id }))}
          />
          <div className="resource-fields" hidden={Boolean(picked[resource.id])}>
            {resource.fields.map((field) => {
              const state = step.resource_configs[resource.id];
              const stored = field.secret
                ? state?.secrets[field.name] === true
                : state?.values[field.name] !== undefined;
              return (
                <ResourceFieldInput
                  key={field.name}
                  name={`configure-${resource.id}-${field.name}`}
                  field={field}
                  placeholder={
                    stored
                      ? field.secret
                        ? "set (hidden)"
                        : String(state?.values[field.name])
                      : (field.description ?? field.type)
                  }
                  value={values[resource.id]?.[field.name] ?? ""}
                  onChange={(text) =>
                    setValues((current) => ({
                      ...current,
                      [resource.id]: { ...current[resource.id], [field.name]: text },
                    }))
                  }
                />
              );
            })}
          </div>
        </div>
      ))}
      <ErrorBanner problem={problemOf(configure.error)} />
      <button type="submit" className="small primary" disabled={configure.isPending}>
        {TRANSITIONS.configure_tool_step.label}
      </button>
    </form>
  );
}
