import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";

import { proposeHopImplementation, validateToolChain } from "../api/client.gen";
import {
  ValueType,
  type AssetInfo,
  type FieldError,
  type Hop,
  type HopImplementationProposal,
  type ParameterMapping,
  type ResourceField,
  type ResultMapping,
  type SchemaDefinition,
  type ToolSpec,
  type ToolStepProposal,
} from "../api/types.gen";
import { isAbort, toProblem, type Problem } from "../lib/errors";
import { useTools } from "../lib/tools";
import { parseJson } from "./AssetFields";
import { typeLabel } from "./Assets";
import { ErrorBanner, RichText, useAction } from "./common";

interface ParamDraft {
  kind: "asset" | "literal" | "unset";
  assetId: string;
  text: string;
}

interface ResultDraft {
  kind: "asset" | "new" | "discard";
  assetId: string;
  /** The id declared for a new hop-scoped intermediate (created when the step writes it). */
  newId: string;
}

interface StepDraft {
  key: string;
  toolId: string;
  name: string;
  params: Record<string, ParamDraft>;
  results: Record<string, ResultDraft>;
  /** Resource id -> field name -> the value as typed. */
  resources: Record<string, Record<string, string>>;
}

/** A fresh id for a new intermediate asset (randomUUID needs a secure context). */
function newUuid(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A literal of a plain text parameter is typed as text; any other as JSON. */
function isTextual(definition: SchemaDefinition): boolean {
  return !definition.is_array && (definition.type === ValueType.STRING || definition.type === ValueType.MARKDOWN);
}

function sameType(a: SchemaDefinition, b: SchemaDefinition): boolean {
  return a.type === b.type && a.is_array === b.is_array;
}

/** A step for `tool`, its parameters and results mapped to the likeliest assets. */
function stepFor(tool: ToolSpec, key: string, hop: Hop, assets: Map<string, AssetInfo>, taken: Set<string>): StepDraft {
  const params: Record<string, ParamDraft> = {};
  const used = new Set<string>();
  for (const parameter of tool.parameters) {
    // Each hop input feeds at most one parameter by default; the rest start as literals.
    const source = hop.asset_summary.inputs.find((id) => {
      const asset = assets.get(id);
      return !used.has(id) && asset !== undefined && sameType(asset.schema_definition, parameter.schema_definition);
    });
    if (source) used.add(source);
    params[parameter.name] = source
      ? { kind: "asset", assetId: source, text: "" }
      : { kind: parameter.required ? "literal" : "unset", assetId: "", text: "" };
  }
  const results: Record<string, ResultDraft> = {};
  for (const output of tool.outputs) {
    const target = hop.asset_summary.outputs.find((id) => {
      const asset = assets.get(id);
      return !taken.has(id) && asset !== undefined && sameType(asset.schema_definition, output.schema_definition);
    });
    if (target) taken.add(target);
    results[output.name] = target ? { kind: "asset", assetId: target, newId: newUuid() } : { kind: "new", assetId: "", newId: newUuid() };
  }
  return { key, toolId: tool.id, name: tool.name, params, results, resources: {} };
}

function resourceValue(field: ResourceField, text: string): unknown {
  if (field.type === "integer" || field.type === "number") {
    const number = Number(text);
    return Number.isNaN(number) ? text : number;
  }
  if (field.type === "boolean") return text === "true";
  return text;
}

/** The proposal the server checks, and the mistakes caught before sending (JSON that does not parse). */
function buildProposal(steps: StepDraft[], tools: Map<string, ToolSpec>): { proposal: HopImplementationProposal; local: string[] } {
  const local: string[] = [];
  const proposal: HopImplementationProposal = {
    steps: steps.map((step, index): ToolStepProposal => {
      const tool = tools.get(step.toolId);
      const label = `Step ${index + 1} (“${step.name || step.toolId}”)`;
      const parameter_mapping: Record<string, ParameterMapping> = {};
      for (const [name, draft] of Object.entries(step.params)) {
        if (draft.kind === "asset") parameter_mapping[name] = { type: "asset_field", state_asset: draft.assetId };
        if (draft.kind === "literal") {
          const definition = tool?.parameters.find((p) => p.name === name)?.schema_definition;
          if (definition && isTextual(definition)) {
            parameter_mapping[name] = { type: "literal", value: draft.text };
          } else {
            const parsed = parseJson(draft.text);
            if (!parsed.ok) local.push(`${label}: parameter “${name}” is ${parsed.reason}`);
            else if (parsed.value === undefined) local.push(`${label}: parameter “${name}” needs a value (JSON)`);
            else parameter_mapping[name] = { type: "literal", value: parsed.value };
          }
        }
      }
      const result_mapping: Record<string, ResultMapping> = {};
      for (const [name, draft] of Object.entries(step.results)) {
        result_mapping[name] =
          draft.kind === "discard" ? { type: "discard" } : { type: "asset_field", state_asset: draft.kind === "new" ? draft.newId : draft.assetId };
      }
      const resource_configs: Record<string, Record<string, unknown>> = {};
      for (const resource of tool?.resource_dependencies ?? []) {
        const values: Record<string, unknown> = {};
        for (const field of resource.fields) {
          const text = step.resources[resource.id]?.[field.name] ?? "";
          if (text !== "") values[field.name] = resourceValue(field, text);
        }
        if (Object.keys(values).length > 0) resource_configs[resource.id] = values;
      }
      return { tool_id: step.toolId, name: step.name.trim(), parameter_mapping, result_mapping, resource_configs };
    }),
  };
  return { proposal, local };
}

type Check = { state: "idle" } | { state: "checking" } | { state: "done"; errors: FieldError[]; local: string[] } | { state: "failed"; problem: Problem };

/** Build the hop's tool chain (2.5): tools, parameter and result mappings, resources. Every
 * change is checked by the server's dry run (validate-chain) and its errors listed. */
export function ImplementationEditor({ hop, assets, onChanged }: { hop: Hop; assets: Map<string, AssetInfo>; onChanged: () => Promise<void> }) {
  const tools = useTools();
  const toolsById = useMemo(() => new Map((tools ?? []).map((tool) => [tool.id, tool])), [tools]);
  const [steps, setSteps] = useState<StepDraft[]>([]);
  const [check, setCheck] = useState<Check>({ state: "idle" });
  const counter = useRef(0);
  const { busy, problem, run } = useAction();

  const { proposal, local } = useMemo(() => buildProposal(steps, toolsById), [steps, toolsById]);

  // Dry run after a pause in typing; a newer edit cancels the older check.
  useEffect(() => {
    if (steps.length === 0) {
      setCheck({ state: "idle" });
      return;
    }
    if (local.length > 0) {
      setCheck({ state: "done", errors: [], local });
      return;
    }
    const controller = new AbortController();
    setCheck({ state: "checking" });
    const timer = window.setTimeout(() => {
      validateToolChain(hop.id, proposal, { signal: controller.signal })
        .then((answer) => setCheck({ state: "done", errors: answer.errors, local: [] }))
        .catch((caught: unknown) => {
          if (!isAbort(caught)) setCheck({ state: "failed", problem: toProblem(caught) });
        });
    }, 300);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [hop.id, proposal, local, steps.length]);

  const addStep = (toolId: string) => {
    const tool = toolsById.get(toolId);
    if (!tool) return;
    const taken = new Set(steps.flatMap((s) => Object.values(s.results).filter((r) => r.kind === "asset").map((r) => r.assetId)));
    setSteps((current) => [...current, stepFor(tool, `step-${++counter.current}`, hop, assets, taken)]);
  };
  const updateStep = (index: number, next: StepDraft) => setSteps((current) => current.map((s, i) => (i === index ? next : s)));
  const moveStep = (index: number, by: number) =>
    setSteps((current) => {
      const target = index + by;
      if (target < 0 || target >= current.length) return current;
      const copy = [...current];
      const [moved] = copy.splice(index, 1);
      if (moved) copy.splice(target, 0, moved);
      return copy;
    });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const done = await run(() => proposeHopImplementation(hop.id, proposal));
    if (done) await onChanged();
  };

  if (tools === null) return <p className="muted">Loading tools…</p>;

  return (
    <form className="impl-editor" onSubmit={submit} aria-label="Implementation">
      <h4>Implement this hop</h4>
      {steps.map((step, index) => (
        <StepEditor
          key={step.key}
          index={index}
          step={step}
          tool={toolsById.get(step.toolId)}
          hop={hop}
          assets={assets}
          earlier={steps.slice(0, index)}
          toolsById={toolsById}
          onChange={(next) => updateStep(index, next)}
          onRemove={() => setSteps((current) => current.filter((_, i) => i !== index))}
          onMove={(by) => moveStep(index, by)}
          last={index === steps.length - 1}
        />
      ))}
      <div className="row add-step">
        <label className="field inline">
          <span className="field-label">Add a step</span>
          <select
            name="add-tool"
            value=""
            onChange={(e) => {
              addStep(e.target.value);
              e.target.value = "";
            }}
          >
            <option value="">Choose a tool…</option>
            {tools.map((tool) => (
              <option key={tool.id} value={tool.id}>
                {tool.name} ({tool.category})
              </option>
            ))}
          </select>
        </label>
      </div>
      <ChainCheck check={check} hasSteps={steps.length > 0} />
      <ErrorBanner problem={problem} />
      <button type="submit" className="primary" disabled={busy || steps.length === 0 || local.length > 0}>
        Propose implementation
      </button>
    </form>
  );
}

function ChainCheck({ check, hasSteps }: { check: Check; hasSteps: boolean }) {
  if (!hasSteps) return <p className="muted chain-check">Add the tools that produce the hop’s output, in order.</p>;
  switch (check.state) {
    case "idle":
      return null;
    case "checking":
      return <p className="chain-check muted" data-check="checking">Checking the chain…</p>;
    case "failed":
      return <ErrorBanner problem={check.problem} />;
    case "done": {
      const all = [...check.local, ...check.errors.map((error) => error.reason)];
      if (all.length === 0) {
        return (
          <p className="chain-check ok" data-check="valid">
            ✓ The chain is valid
          </p>
        );
      }
      return (
        <div className="chain-check invalid" data-check="invalid" aria-live="polite">
          <p>
            {all.length} problem{all.length === 1 ? "" : "s"} in the chain:
          </p>
          <ul className="chain-errors">
            {all.map((reason, index) => (
              <li key={index}>
                <RichText text={reason} />
              </li>
            ))}
          </ul>
        </div>
      );
    }
  }
}

function assetOptionLabel(asset: AssetInfo | undefined, id: string, role: string | undefined): string {
  return asset ? `${asset.name} (${typeLabel(asset)}${role ? `, ${role}` : ""})` : id.slice(0, 8);
}

function StepEditor({
  index,
  step,
  tool,
  hop,
  assets,
  earlier,
  toolsById,
  onChange,
  onRemove,
  onMove,
  last,
}: {
  index: number;
  step: StepDraft;
  tool: ToolSpec | undefined;
  hop: Hop;
  assets: Map<string, AssetInfo>;
  earlier: StepDraft[];
  toolsById: Map<string, ToolSpec>;
  onChange: (step: StepDraft) => void;
  onRemove: () => void;
  onMove: (by: number) => void;
  last: boolean;
}) {
  // What a parameter can read: the hop's assets, the mission's, and intermediates that earlier steps declare.
  const visible = [...new Set([...Object.keys(hop.hop_asset_map), ...assets.keys()])];
  const intermediates = earlier.flatMap((s, i) =>
    Object.entries(s.results)
      .filter(([, r]) => r.kind === "new")
      .map(([name, r]) => {
        const outputType = toolsById.get(s.toolId)?.outputs.find((o) => o.name === name)?.schema_definition;
        const type = outputType ? `${outputType.type}${outputType.is_array ? "[]" : ""}` : "";
        return { id: r.newId, label: `Step ${i + 1} “${name}” (new intermediate${type ? `, ${type}` : ""})` };
      }),
  );
  const setParam = (name: string, draft: ParamDraft) => onChange({ ...step, params: { ...step.params, [name]: draft } });
  const setResult = (name: string, draft: ResultDraft) => onChange({ ...step, results: { ...step.results, [name]: draft } });

  return (
    <fieldset className="step-editor" data-step-index={index}>
      <legend>
        Step {index + 1}: {tool?.name ?? step.toolId}
      </legend>
      <div className="row spread">
        <label className="field inline grow">
          <span className="field-label">Step name</span>
          <input name="step-name" value={step.name} onChange={(e) => onChange({ ...step, name: e.target.value })} />
        </label>
        <div className="row">
          <button type="button" className="small" onClick={() => onMove(-1)} disabled={index === 0} aria-label="Move up">
            ↑
          </button>
          <button type="button" className="small" onClick={() => onMove(1)} disabled={last} aria-label="Move down">
            ↓
          </button>
          <button type="button" className="small danger" onClick={onRemove}>
            Remove
          </button>
        </div>
      </div>
      {tool && (
        <p className="muted small-text">
          <RichText text={tool.description} />
        </p>
      )}
      {tool && tool.parameters.length > 0 && (
        <table className="mapping">
          <caption>Parameters</caption>
          <tbody>
            {tool.parameters.map((parameter) => {
              const draft = step.params[parameter.name] ?? { kind: "unset", assetId: "", text: "" };
              const textual = isTextual(parameter.schema_definition);
              return (
                <tr key={parameter.name} data-param={parameter.name}>
                  <th scope="row">
                    {parameter.name}
                    {parameter.required && <span className="required" title="required">*</span>}
                    <div className="type-tag">{`${parameter.schema_definition.type}${parameter.schema_definition.is_array ? "[]" : ""}`}</div>
                  </th>
                  <td>
                    <select name="param-kind" value={draft.kind} onChange={(e) => setParam(parameter.name, { ...draft, kind: e.target.value as ParamDraft["kind"] })}>
                      <option value="asset">from an asset</option>
                      <option value="literal">a literal value</option>
                      {!parameter.required && <option value="unset">not set</option>}
                    </select>
                  </td>
                  <td className="grow">
                    {draft.kind === "asset" && (
                      <select name="param-asset" value={draft.assetId} onChange={(e) => setParam(parameter.name, { ...draft, assetId: e.target.value })}>
                        <option value="">Choose an asset…</option>
                        {visible.map((id) => (
                          <option key={id} value={id}>
                            {assetOptionLabel(assets.get(id), id, hop.hop_asset_map[id] ? `hop ${hop.hop_asset_map[id]}` : undefined)}
                          </option>
                        ))}
                        {intermediates.map((item) => (
                          <option key={item.id} value={item.id}>
                            {item.label}
                          </option>
                        ))}
                      </select>
                    )}
                    {draft.kind === "literal" &&
                      (textual ? (
                        <input name="param-literal" value={draft.text} onChange={(e) => setParam(parameter.name, { ...draft, text: e.target.value })} placeholder="text" />
                      ) : (
                        <textarea
                          name="param-literal"
                          className="mono"
                          rows={1}
                          value={draft.text}
                          onChange={(e) => setParam(parameter.name, { ...draft, text: e.target.value })}
                          placeholder="JSON, e.g. [{&quot;path&quot;: &quot;score&quot;}]"
                        />
                      ))}
                    {parameter.description && (
                      <div className="muted small-text">
                        <RichText text={parameter.description} />
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {tool && tool.outputs.length > 0 && (
        <table className="mapping">
          <caption>Results</caption>
          <tbody>
            {tool.outputs.map((output) => {
              const draft = step.results[output.name] ?? { kind: "discard", assetId: "", newId: newUuid() };
              return (
                <tr key={output.name} data-result={output.name}>
                  <th scope="row">
                    {output.name}
                    <div className="type-tag">{`${output.schema_definition.type}${output.schema_definition.is_array ? "[]" : ""}`}</div>
                  </th>
                  <td>
                    <select name="result-kind" value={draft.kind} onChange={(e) => setResult(output.name, { ...draft, kind: e.target.value as ResultDraft["kind"] })}>
                      <option value="asset">write an asset</option>
                      <option value="new">new intermediate</option>
                      <option value="discard">discard</option>
                    </select>
                  </td>
                  <td className="grow">
                    {draft.kind === "asset" && (
                      <select name="result-asset" value={draft.assetId} onChange={(e) => setResult(output.name, { ...draft, assetId: e.target.value })}>
                        <option value="">Choose an asset…</option>
                        {visible.map((id) => (
                          <option key={id} value={id}>
                            {assetOptionLabel(assets.get(id), id, hop.hop_asset_map[id] ? `hop ${hop.hop_asset_map[id]}` : undefined)}
                          </option>
                        ))}
                      </select>
                    )}
                    {draft.kind === "new" && <span className="muted small-text">Kept with the hop; later steps can read it.</span>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {tool?.resource_dependencies.map((resource) => (
        <div key={resource.id} className="resource">
          <h5>
            {resource.name} <span className="muted">({resource.type})</span>
          </h5>
          {resource.description && <p className="muted small-text">{resource.description}</p>}
          <div className="resource-fields">
            {resource.fields.map((field) => (
              <label key={field.name} className="field inline">
                <span className="field-label">
                  {field.name}
                  {field.required && <span className="required">*</span>}
                </span>
                <input
                  name={`resource-${resource.id}-${field.name}`}
                  type={field.secret ? "password" : "text"}
                  autoComplete="off"
                  value={step.resources[resource.id]?.[field.name] ?? ""}
                  placeholder={field.description ?? field.type}
                  onChange={(e) =>
                    onChange({
                      ...step,
                      resources: { ...step.resources, [resource.id]: { ...step.resources[resource.id], [field.name]: e.target.value } },
                    })
                  }
                />
              </label>
            ))}
          </div>
          <p className="muted small-text">Leave empty to configure later; secrets are stored encrypted and never shown again.</p>
        </div>
      ))}
    </fieldset>
  );
}
