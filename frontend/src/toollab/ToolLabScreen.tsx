import { type FormEvent, useState } from "react";

import type { ToolRunResult, ToolSpec } from "../api/types.gen";
import { ConnectionPicker } from "../connections/ConnectionPicker";
import { useTools } from "../tools/hooks";
import { ErrorBanner } from "../ui/ErrorBanner";
import { prettyJson } from "../ui/format";
import { problemOf } from "../ui/problem";
import { useRunTool } from "./hooks";
import { SaveResult } from "./SaveResult";
import "../connections/connections.css";

/** A starting point for the parameters: each parameter as a literal, from the first sample. */
function template(tool: ToolSpec): string {
  const parameters: Record<string, unknown> = {};
  for (const parameter of tool.parameters) {
    if (parameter.required) parameters[parameter.name] = { type: "literal", value: null };
  }
  return prettyJson(parameters);
}

/** The tool lab: pick a tool, give its parameters (literals, or `{"type": "asset_field",
 * "state_asset": id}` for one of your assets), pick connections, run it, see its outputs as
 * JSON or text, and keep an output as an asset. Nothing is stored otherwise. */
export function ToolLabScreen() {
  const tools = useTools();
  const [toolId, setToolId] = useState("");
  const tool = tools.data?.find((candidate) => candidate.id === toolId);
  return (
    <section className="toollab" aria-label="Tool lab">
      <h2>Tool lab</h2>
      <p className="muted">Run any tool on values you type or on one of your assets, outside any mission.</p>
      <ErrorBanner problem={problemOf(tools.error)} />
      <label className="field inline">
        <span className="field-label">Tool</span>
        <select name="lab-tool" value={toolId} onChange={(e) => setToolId(e.target.value)}>
          <option value="">choose…</option>
          {(tools.data ?? []).map((candidate) => (
            <option key={candidate.id} value={candidate.id}>
              {candidate.name} ({candidate.id})
            </option>
          ))}
        </select>
      </label>
      {tool && <ToolRunner key={tool.id} tool={tool} />}
    </section>
  );
}

function ToolRunner({ tool }: { tool: ToolSpec }) {
  const [text, setText] = useState(() => template(tool));
  const [connections, setConnections] = useState<Record<string, string>>({});
  const [asText, setAsText] = useState(false);
  const [notJson, setNotJson] = useState<string | null>(null);
  const run = useRunTool(tool.id);
  const result: ToolRunResult | undefined = run.data;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    let parameters: unknown;
    try {
      parameters = JSON.parse(text);
    } catch (error) {
      setNotJson(`The parameters are not JSON: ${(error as Error).message}`);
      return;
    }
    setNotJson(null);
    const picked = Object.fromEntries(Object.entries(connections).filter(([, id]) => id));
    run.mutate({ parameters: parameters as Record<string, never>, connections: picked });
  };

  return (
    <form className="toollab-form" onSubmit={submit} aria-label={`Run ${tool.name}`}>
      <p className="muted small-text">{tool.description}</p>
      <p className="small-text">
        Parameters:{" "}
        {tool.parameters.map((p) => (
          <code key={p.name} title={p.description ?? ""}>
            {p.name}
            {p.required ? "*" : ""}{" "}
          </code>
        ))}
      </p>
      <label className="field">
        <span className="field-label">Parameters (JSON: name → {`{"type": "literal", "value": …}`})</span>
        <textarea name="lab-parameters" value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} />
      </label>
      {tool.resource_dependencies.map((resource) => (
        <ConnectionPicker
          key={resource.id}
          name={`lab-${resource.id}-connection`}
          resource={resource}
          value={connections[resource.id] ?? ""}
          onChange={(id) => setConnections((current) => ({ ...current, [resource.id]: id }))}
        />
      ))}
      {notJson && (
        <p className="step-error" role="alert">
          {notJson}
        </p>
      )}
      <ErrorBanner problem={problemOf(run.error)} />
      <div className="form-actions">
        <button type="submit" className="small primary" disabled={run.isPending}>
          {run.isPending ? "Running…" : "Run tool"}
        </button>
      </div>
      {result && (
        <section className="toollab-result" aria-label="Result">
          <p className="muted small-text">
            Took {Math.round(result.duration_ms)} ms · {result.output_bytes} bytes of outputs
            <label className="field inline">
              <input type="checkbox" checked={asText} onChange={(e) => setAsText(e.target.checked)} /> as text
            </label>
          </p>
          {Object.entries(result.outputs).map(([name, value]) => (
            <div key={name} className="toollab-output">
              <h5>{name}</h5>
              <pre className="json">{asText && typeof value === "string" ? value : prettyJson(value)}</pre>
              <SaveResult toolId={tool.id} output={name} content={value} />
            </div>
          ))}
        </section>
      )}
    </form>
  );
}
