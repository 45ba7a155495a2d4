import {
  type AssetInfo,
  type Hop,
  type HopImplementationProposalInput,
  type ParameterMapping,
  type ResourceField,
  type ResultMapping,
  type SchemaDefinition,
  type ToolSpec,
  type ToolStepProposalInput,
  ValueType,
} from "../../api/types.gen";
import { parseJson } from "../../assets/draft";
import type { EditMode } from "../../tools/editors/ParameterEditor";
import { newUuid } from "../../ui/ids";

/** What a parameter reads: an asset, a literal typed in, or nothing. */
export interface ParamDraft {
  kind: "asset" | "literal" | "unset";
  assetId: string;
  text: string;
  /** How a literal that is not plain text is edited: in the form (the default) or as JSON. */
  mode?: EditMode;
}

export interface ResultDraft {
  kind: "asset" | "new" | "discard";
  assetId: string;
  /** The id declared for a new hop-scoped intermediate (created when the step writes it). */
  newId: string;
}

export interface StepDraft {
  key: string;
  toolId: string;
  name: string;
  params: Record<string, ParamDraft>;
  results: Record<string, ResultDraft>;
  /** Resource id -> field name -> the value as typed. */
  resources: Record<string, Record<string, string>>;
}

/** A literal of a plain text parameter is typed as text; any other as JSON. */
export function isTextual(definition: SchemaDefinition): boolean {
  return !definition.is_array && (definition.type === ValueType.STRING || definition.type === ValueType.MARKDOWN);
}

function sameType(a: SchemaDefinition, b: SchemaDefinition): boolean {
  return a.type === b.type && a.is_array === b.is_array;
}

/** The asset or new intermediate a step writes with its first result, and that result's name. */
function firstWrite(step: StepDraft): { name: string; id: string; kind: ResultDraft["kind"] } | null {
  const [name, result] = Object.entries(step.results)[0] ?? [];
  if (name === undefined || result === undefined || result.kind === "discard") return null;
  return { name, id: result.kind === "new" ? result.newId : result.assetId, kind: result.kind };
}

/** A step for `tool`, its parameters and results mapped to the likeliest assets. After an
 * earlier step (`previous`), the chain goes on from it: the first parameter reads what the
 * previous step writes, and when the previous step wrote a hop output that this step can write
 * too, this step writes it instead and the previous one keeps a new intermediate for it. */
export function stepFor(
  tool: ToolSpec,
  key: string,
  hop: Hop,
  assets: Map<string, AssetInfo>,
  taken: Set<string>,
  previous?: { step: StepDraft; tool: ToolSpec },
): { step: StepDraft; previous: StepDraft | null } {
  const params: Record<string, ParamDraft> = {};
  const used = new Set<string>();
  let chained = previous ? firstWrite(previous.step) : null;
  const prevOutput = chained && previous?.tool.outputs.find((o) => o.name === chained?.name);
  const first = tool.parameters[0];
  if (!first || !prevOutput || !sameType(prevOutput.schema_definition, first.schema_definition)) chained = null;
  let handedOver: string | null = null;
  let previousStep = previous?.step ?? null;
  if (chained && previous && chained.kind === "asset") {
    // The previous step wrote a hop output: this step takes it over when it can write it.
    const asset = assets.get(chained.id);
    const output = tool.outputs[0];
    if (asset && output && sameType(asset.schema_definition, output.schema_definition)) {
      handedOver = chained.id;
      const newId = newUuid();
      previousStep = {
        ...previous.step,
        results: { ...previous.step.results, [chained.name]: { kind: "new", assetId: "", newId } },
      };
      taken.delete(chained.id);
      chained = { ...chained, id: newId, kind: "new" };
    }
  }
  for (const parameter of tool.parameters) {
    if (chained && parameter === first) {
      params[parameter.name] = { kind: "asset", assetId: chained.id, text: "" };
      continue;
    }
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
  for (const [index, output] of tool.outputs.entries()) {
    const target =
      index === 0 && handedOver
        ? handedOver
        : hop.asset_summary.outputs.find((id) => {
            const asset = assets.get(id);
            return !taken.has(id) && asset !== undefined && sameType(asset.schema_definition, output.schema_definition);
          });
    if (target) taken.add(target);
    results[output.name] = target
      ? { kind: "asset", assetId: target, newId: newUuid() }
      : { kind: "new", assetId: "", newId: newUuid() };
  }
  return {
    step: { key, toolId: tool.id, name: tool.name, params, results, resources: {} },
    previous: previousStep === previous?.step ? null : previousStep,
  };
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
export function buildProposal(
  steps: StepDraft[],
  tools: Map<string, ToolSpec>,
): { proposal: HopImplementationProposalInput; local: string[] } {
  const local: string[] = [];
  const proposal: HopImplementationProposalInput = {
    steps: steps.map((step, index): ToolStepProposalInput => {
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
          draft.kind === "discard"
            ? { type: "discard" }
            : { type: "asset_field", state_asset: draft.kind === "new" ? draft.newId : draft.assetId };
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

const isText = (value: unknown): value is string => typeof value === "string";
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Stored steps of a chain being built, or null when they are not (another version, damaged). */
export function reviveSteps(raw: unknown): StepDraft[] | null {
  if (!Array.isArray(raw)) return null;
  const ok = raw.every(
    (s) =>
      isObject(s) &&
      isText(s.key) &&
      isText(s.toolId) &&
      isText(s.name) &&
      isObject(s.params) &&
      Object.values(s.params).every((p) => isObject(p) && isText(p.kind) && isText(p.assetId) && isText(p.text)) &&
      isObject(s.results) &&
      Object.values(s.results).every((r) => isObject(r) && isText(r.kind) && isText(r.assetId) && isText(r.newId)) &&
      isObject(s.resources),
  );
  return ok ? (raw as StepDraft[]) : null;
}

/** The steps as kept in the browser: without the values of secret resource fields. */
export function storedSteps(steps: StepDraft[], tools: Map<string, ToolSpec>): StepDraft[] {
  return steps.map((step) => {
    const resources: StepDraft["resources"] = {};
    for (const [resourceId, values] of Object.entries(step.resources)) {
      const spec = tools.get(step.toolId)?.resource_dependencies.find((r) => r.id === resourceId);
      resources[resourceId] = Object.fromEntries(
        Object.entries(values).filter(([field]) => spec?.fields.find((f) => f.name === field)?.secret !== true),
      );
    }
    return { ...step, resources };
  });
}
