import { type FormEvent, useState } from "react";
import { TRANSITIONS } from "../api/transitions.gen";
import type { ToolSpec, ToolStep } from "../api/types.gen";
import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { useConfigureToolStep } from "./hooks";
import { ResourceFieldInput } from "./ResourceFieldInput";

/** The form that stores a waiting step's resource values (configure_tool_step); secrets are
 * stored encrypted and shown only as set. */
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
  const configure = useConfigureToolStep(missionId, step.id);
  if (!tool || tool.resource_dependencies.length === 0) return null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const resource_configs: Record<string, Record<string, unknown>> = {};
    for (const resource of tool.resource_dependencies) {
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
    configure.mutate({ resource_configs });
  };

  return (
    <form className="configure" onSubmit={submit} aria-label={`Configure ${step.name}`}>
      {tool.resource_dependencies.map((resource) => (
        <div key={resource.id}>
          <h5>{resource.name}</h5>
          <div className="resource-fields">
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
