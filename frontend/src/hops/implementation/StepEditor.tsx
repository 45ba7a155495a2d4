import { useId } from "react";
import type { AssetInfo, Hop, ResourceSpec, SchemaDefinition, ToolParameter, ToolSpec } from "../../api/types.gen";
import { typeLabel } from "../../assets/draft";
import { ParameterEditor } from "../../tools/editors/ParameterEditor";
import { FieldList } from "../../tools/editors/PathInput";
import { useFieldSuggestions } from "../../tools/editors/suggestions";
import { ResourceFieldInput } from "../../tools/ResourceFieldInput";
import { newUuid } from "../../ui/ids";
import { RichText } from "../../ui/RichText";
import { isTextual, type ParamDraft, type ResultDraft, type StepDraft } from "./draft";

/** An asset a mapping can name: its id and how the option reads. */
interface AssetChoice {
  id: string;
  label: string;
}

function assetChoices(hop: Hop, assets: Map<string, AssetInfo>): AssetChoice[] {
  // What a step can read and write: the hop's assets and the mission's.
  const visible = [...new Set([...Object.keys(hop.hop_asset_map), ...assets.keys()])];
  return visible.map((id) => {
    const asset = assets.get(id);
    const role = hop.hop_asset_map[id] ? `hop ${hop.hop_asset_map[id]}` : undefined;
    return { id, label: asset ? `${asset.name} (${typeLabel(asset)}${role ? `, ${role}` : ""})` : id.slice(0, 8) };
  });
}

/** The intermediates that earlier steps declare: later steps can read them. */
function intermediateChoices(earlier: StepDraft[], toolsById: Map<string, ToolSpec>): AssetChoice[] {
  return earlier.flatMap((s, i) =>
    Object.entries(s.results)
      .filter(([, r]) => r.kind === "new")
      .map(([name, r]) => {
        const output = toolsById.get(s.toolId)?.outputs.find((o) => o.name === name);
        const type = output ? typeLabel(output) : "";
        return { id: r.newId, label: `Step ${i + 1} “${name}” (new intermediate${type ? `, ${type}` : ""})` };
      }),
  );
}

/** What the step's first list parameter reads (an asset, or an earlier step's new
 * intermediate), for the fields its path inputs suggest. */
function inputOf(
  step: StepDraft,
  tool: ToolSpec | undefined,
  assets: Map<string, AssetInfo>,
  earlier: StepDraft[],
  toolsById: Map<string, ToolSpec>,
): { assetId: string | null; definition: SchemaDefinition | null } {
  const parameter = tool?.parameters.find((p) => p.schema_definition.is_array && step.params[p.name]?.kind === "asset");
  const id = parameter ? step.params[parameter.name]?.assetId : undefined;
  if (!id) return { assetId: null, definition: null };
  const asset = assets.get(id);
  if (asset) return { assetId: id, definition: asset.schema_definition };
  for (const s of earlier) {
    const name = Object.entries(s.results).find(([, r]) => r.kind === "new" && r.newId === id)?.[0];
    const output = name ? toolsById.get(s.toolId)?.outputs.find((o) => o.name === name) : undefined;
    if (output) return { assetId: null, definition: output.schema_definition };
  }
  return { assetId: null, definition: null };
}

function AssetOptions({ choices }: { choices: AssetChoice[] }) {
  return (
    <>
      {choices.map((choice) => (
        <option key={choice.id} value={choice.id}>
          {choice.label}
        </option>
      ))}
    </>
  );
}

/** One step of the chain being built: its name, place and tool; a row per parameter and per
 * result; the tool's resources. */
export function StepEditor({
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
  const choices = assetChoices(hop, assets);
  const input = inputOf(step, tool, assets, earlier, toolsById);
  const fields = useFieldSuggestions(input.assetId, input.definition);
  const fieldsListId = `${useId()}-fields`;
  const readable = [...choices, ...intermediateChoices(earlier, toolsById)];
  const setParam = (name: string, draft: ParamDraft) =>
    onChange({ ...step, params: { ...step.params, [name]: draft } });
  const setResult = (name: string, draft: ResultDraft) =>
    onChange({ ...step, results: { ...step.results, [name]: draft } });
  const setResource = (resourceId: string, field: string, text: string) =>
    onChange({
      ...step,
      resources: { ...step.resources, [resourceId]: { ...step.resources[resourceId], [field]: text } },
    });

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
          <button
            type="button"
            className="small"
            onClick={() => onMove(-1)}
            disabled={index === 0}
            aria-label="Move up"
          >
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
      <FieldList id={fieldsListId} fields={fields} />
      {tool && tool.parameters.length > 0 && (
        <table className="mapping">
          <caption>Parameters</caption>
          <tbody>
            {tool.parameters.map((parameter) => (
              <ParameterRow
                key={parameter.name}
                parameter={parameter}
                draft={step.params[parameter.name] ?? { kind: "unset", assetId: "", text: "" }}
                choices={readable}
                fieldsListId={fieldsListId}
                onChange={(draft) => setParam(parameter.name, draft)}
              />
            ))}
          </tbody>
        </table>
      )}
      {tool && tool.outputs.length > 0 && (
        <table className="mapping">
          <caption>Results</caption>
          <tbody>
            {tool.outputs.map((output) => (
              <ResultRow
                key={output.name}
                name={output.name}
                type={typeLabel(output)}
                draft={step.results[output.name] ?? { kind: "discard", assetId: "", newId: newUuid() }}
                choices={choices}
                onChange={(draft) => setResult(output.name, draft)}
              />
            ))}
          </tbody>
        </table>
      )}
      {tool?.resource_dependencies.map((resource) => (
        <ResourceInputs
          key={resource.id}
          resource={resource}
          values={step.resources[resource.id] ?? {}}
          onChange={(field, text) => setResource(resource.id, field, text)}
        />
      ))}
    </fieldset>
  );
}

function ParameterRow({
  parameter,
  draft,
  choices,
  fieldsListId,
  onChange,
}: {
  parameter: ToolParameter;
  draft: ParamDraft;
  choices: AssetChoice[];
  fieldsListId: string;
  onChange: (draft: ParamDraft) => void;
}) {
  return (
    <tr data-param={parameter.name}>
      <th scope="row">
        {parameter.name}
        {parameter.required && (
          <span className="required" title="required">
            *
          </span>
        )}
        <div className="type-tag">{typeLabel(parameter)}</div>
      </th>
      <td>
        <select
          name="param-kind"
          aria-label={`${parameter.name}: where its value comes from`}
          value={draft.kind}
          onChange={(e) => onChange({ ...draft, kind: e.target.value as ParamDraft["kind"] })}
        >
          <option value="asset">from an asset</option>
          <option value="literal">a literal value</option>
          {!parameter.required && <option value="unset">not set</option>}
        </select>
      </td>
      <td className="grow">
        {draft.kind === "asset" && (
          <select
            name="param-asset"
            aria-label={`${parameter.name}: the asset it reads`}
            value={draft.assetId}
            onChange={(e) => onChange({ ...draft, assetId: e.target.value })}
          >
            <option value="">Choose an asset…</option>
            <AssetOptions choices={choices} />
          </select>
        )}
        {draft.kind === "literal" && (
          <ParameterEditor
            parameter={parameter}
            textual={isTextual(parameter.schema_definition)}
            text={draft.text}
            mode={draft.mode ?? "form"}
            onChange={(text, mode) => onChange({ ...draft, text, mode })}
            fieldsListId={fieldsListId}
          />
        )}
        {parameter.description && (
          <div className="muted small-text">
            <RichText text={parameter.description} />
          </div>
        )}
      </td>
    </tr>
  );
}

function ResultRow({
  name,
  type,
  draft,
  choices,
  onChange,
}: {
  name: string;
  type: string;
  draft: ResultDraft;
  choices: AssetChoice[];
  onChange: (draft: ResultDraft) => void;
}) {
  return (
    <tr data-result={name}>
      <th scope="row">
        {name}
        <div className="type-tag">{type}</div>
      </th>
      <td>
        <select
          name="result-kind"
          aria-label={`${name}: what becomes of it`}
          value={draft.kind}
          onChange={(e) => onChange({ ...draft, kind: e.target.value as ResultDraft["kind"] })}
        >
          <option value="asset">write an asset</option>
          <option value="new">new intermediate</option>
          <option value="discard">discard</option>
        </select>
      </td>
      <td className="grow">
        {draft.kind === "asset" && (
          <select
            name="result-asset"
            aria-label={`${name}: the asset it writes`}
            value={draft.assetId}
            onChange={(e) => onChange({ ...draft, assetId: e.target.value })}
          >
            <option value="">Choose an asset…</option>
            <AssetOptions choices={choices} />
          </select>
        )}
        {draft.kind === "new" && <span className="muted small-text">Kept with the hop; later steps can read it.</span>}
      </td>
    </tr>
  );
}

function ResourceInputs({
  resource,
  values,
  onChange,
}: {
  resource: ResourceSpec;
  values: Record<string, string>;
  onChange: (field: string, text: string) => void;
}) {
  return (
    <div className="resource">
      <h5>
        {resource.name} <span className="muted">({resource.type})</span>
      </h5>
      {resource.description && <p className="muted small-text">{resource.description}</p>}
      <div className="resource-fields">
        {resource.fields.map((field) => (
          <ResourceFieldInput
            key={field.name}
            name={`resource-${resource.id}-${field.name}`}
            field={field}
            value={values[field.name] ?? ""}
            placeholder={field.description ?? field.type}
            onChange={(text) => onChange(field.name, text)}
          />
        ))}
      </div>
      <p className="muted small-text">
        Leave empty to configure later; secrets are stored encrypted and never shown again.
      </p>
    </div>
  );
}
