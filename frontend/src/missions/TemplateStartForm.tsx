import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";

import { listMissionTemplates, startMissionTemplate } from "../api/client.gen";
import type { MissionTemplateInfo, RecapTemplateParameters, TemplateParameter } from "../api/types.gen";
import { useConnections } from "../connections/hooks";
import { sessionKeys } from "../sessions/keys";
import { ErrorBanner } from "../ui/ErrorBanner";
import { Field } from "../ui/Field";
import { lines } from "../ui/format";
import { type Problem, problemOf } from "../ui/problem";
import { missionKeys } from "./keys";

/** The mission templates; they change only with the server. */
function useMissionTemplates() {
  return useQuery({
    queryKey: ["mission-templates"],
    queryFn: ({ signal }) => listMissionTemplates({ signal }).then((list) => list.items),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Starts the session's mission from a template (accepted, its hop ready), then reads the session again. */
function useStartTemplate(sessionId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ templateId, body }: { templateId: string; body: RecapTemplateParameters }) =>
      startMissionTemplate(sessionId, templateId, body),
    onSuccess: async (made) => {
      queryClient.setQueryData(missionKeys.detail(made.mission.id), made.mission);
      await queryClient.invalidateQueries({ queryKey: sessionKeys.all });
    },
  });
}

type Values = Record<string, string>;

function initialValues(template: MissionTemplateInfo | undefined): Values {
  const values: Values = {};
  for (const parameter of template?.parameters ?? []) {
    values[parameter.name] = parameter.default === null ? "" : String(parameter.default);
  }
  return values;
}

/** The request body from the form's texts: a list per line, a number, a connection or none. */
function bodyOf(template: MissionTemplateInfo, values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const parameter of template.parameters) {
    const text = (values[parameter.name] ?? "").trim();
    if (parameter.kind === "text_list") body[parameter.name] = lines(text);
    else if (text === "") continue;
    else if (parameter.kind === "number") body[parameter.name] = Number(text);
    else body[parameter.name] = text;
  }
  return body;
}

function ConnectionSelect({
  parameter,
  value,
  onChange,
}: {
  parameter: TemplateParameter;
  value: string;
  onChange: (value: string) => void;
}) {
  const connections = useConnections(parameter.resource_type ?? undefined);
  const saved = connections.data ?? [];
  return (
    <select name={`template-${parameter.name}`} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{saved.length ? "none: set it on the step later" : "no saved connection yet"}</option>
      {saved.map((connection) => (
        <option key={connection.id} value={connection.id}>
          {connection.name}
        </option>
      ))}
    </select>
  );
}

function ParameterField({
  parameter,
  value,
  onChange,
  problem,
}: {
  parameter: TemplateParameter;
  value: string;
  onChange: (value: string) => void;
  problem: Problem | null;
}) {
  const hint = parameter.kind === "text_list" ? `${parameter.description} One per line.` : parameter.description;
  return (
    <Field label={parameter.label} problem={problem} path={parameter.name} hint={hint}>
      {parameter.kind === "text_list" ? (
        <textarea
          name={`template-${parameter.name}`}
          rows={3}
          value={value}
          required={parameter.required}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : parameter.kind === "number" ? (
        <input
          name={`template-${parameter.name}`}
          type="number"
          inputMode="decimal"
          min={0}
          value={value}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <ConnectionSelect parameter={parameter} value={value} onChange={onChange} />
      )}
    </Field>
  );
}

/** Start the session's mission from a template: pick one, give its parameters, create. */
export function TemplateStartForm({ sessionId }: { sessionId: string }) {
  const templates = useMissionTemplates();
  const [templateId, setTemplateId] = useState("");
  const template = (templates.data ?? []).find((t) => t.id === templateId) ?? templates.data?.[0];
  const [values, setValues] = useState<Values | null>(null);
  const shownValues = values ?? initialValues(template);
  const start = useStartTemplate(sessionId);
  const problem = problemOf(start.error);

  if (!templates.data?.length || !template) return null;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (start.isPending) return;
    const body = bodyOf(template, shownValues) as unknown as RecapTemplateParameters;
    start.mutate({ templateId: template.id, body });
  };

  return (
    <form className="mission-form template-form" onSubmit={submit} noValidate aria-label="Start from a template">
      <h2>Start from a template</h2>
      <p className="muted">A ready-made mission: its plan and tools are set, you say what it works on.</p>
      <ErrorBanner problem={problem} shownFields={template.parameters.map((p) => p.name)} />
      <label className="field">
        <span className="field-label">Template</span>
        <select
          name="template"
          value={template.id}
          onChange={(e) => {
            setTemplateId(e.target.value);
            setValues(null);
            start.reset();
          }}
        >
          {templates.data.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <p className="field-hint template-description">{template.description}</p>
      {template.parameters.map((parameter) => (
        <ParameterField
          key={`${template.id}-${parameter.name}`}
          parameter={parameter}
          value={shownValues[parameter.name] ?? ""}
          onChange={(value) => setValues({ ...shownValues, [parameter.name]: value })}
          problem={problem}
        />
      ))}
      <div className="row">
        <button type="submit" className="primary" disabled={start.isPending}>
          {start.isPending ? "Creating…" : "Create the mission"}
        </button>
      </div>
    </form>
  );
}
