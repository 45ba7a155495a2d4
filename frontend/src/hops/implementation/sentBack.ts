import type { AssetInfo, Hop } from "../../api/types.gen";
import { newUuid } from "../../ui/ids";
import type { ParamDraft, ResultDraft, StepDraft } from "./draft";

/** The chain of a hop sent back (a proposal rejected, or a failed run revised): the server keeps
 * it in `hop_metadata.draft_chain` (docs/domain.md), with the failure that sent it back. */
export interface SentBack {
  steps: StepDraft[];
  lastError: string | null;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function paramDraft(mapping: unknown): ParamDraft | null {
  if (!isObject(mapping)) return null;
  if (mapping.type === "asset_field" && typeof mapping.state_asset === "string") {
    return { kind: "asset", assetId: mapping.state_asset, text: "" };
  }
  if (mapping.type === "literal") {
    const text = typeof mapping.value === "string" ? mapping.value : JSON.stringify(mapping.value, null, 2);
    return { kind: "literal", assetId: "", text };
  }
  return null;
}

function resultDraft(mapping: unknown, assets: Map<string, AssetInfo>): ResultDraft {
  if (!isObject(mapping) || mapping.type !== "asset_field" || typeof mapping.state_asset !== "string") {
    return { kind: "discard", assetId: "", newId: "" };
  }
  // An asset the hop still has is written again; an intermediate the removed step declared is
  // declared again under the same id.
  return assets.has(mapping.state_asset)
    ? { kind: "asset", assetId: mapping.state_asset, newId: "" }
    : { kind: "new", assetId: "", newId: mapping.state_asset };
}

/** The chain the hop was sent back with, as steps to edit, or null when it has none. Resource
 * values are not part of it (secrets are never sent back): the steps ask for them again. */
export function sentBackChain(hop: Hop, assets: Map<string, AssetInfo>): SentBack | null {
  const chain = hop.hop_metadata.draft_chain;
  if (!isObject(chain) || !Array.isArray(chain.steps) || chain.steps.length === 0) return null;
  const steps: StepDraft[] = [];
  for (const raw of chain.steps) {
    if (!isObject(raw) || typeof raw.tool_id !== "string") return null;
    const params: Record<string, ParamDraft> = {};
    for (const [name, mapping] of Object.entries(isObject(raw.parameter_mapping) ? raw.parameter_mapping : {})) {
      const draft = paramDraft(mapping);
      if (draft) params[name] = draft;
    }
    const results: Record<string, ResultDraft> = {};
    for (const [name, mapping] of Object.entries(isObject(raw.result_mapping) ? raw.result_mapping : {})) {
      results[name] = resultDraft(mapping, assets);
    }
    const name = typeof raw.name === "string" ? raw.name : raw.tool_id;
    steps.push({ key: newUuid(), toolId: raw.tool_id, name, params, results, resources: {} });
  }
  return { steps, lastError: typeof chain.last_error === "string" ? chain.last_error : null };
}
