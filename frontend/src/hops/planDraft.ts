import { AssetRole, type Hop, type HopOutputInput, VALUE_TYPE_VALUES } from "../api/types.gen";
import { type AssetDraft, emptyAssetDraft } from "../assets/draft";

/** The hop plan form's state, as kept in a draft. */
export interface PlanDraft {
  name: string;
  goal: string;
  description: string;
  rationale: string;
  criteria: string;
  isFinal: boolean;
  inputs: string[];
  outputKind: HopOutputInput["type"];
  existingId: string;
  asset: AssetDraft;
}

export function initialPlan(hop: Hop): PlanDraft {
  return {
    name: hop.name,
    goal: hop.goal ?? "",
    description: hop.description ?? "",
    rationale: hop.rationale ?? "",
    criteria: hop.success_criteria.join("\n"),
    isFinal: hop.is_final,
    // Nothing is chosen for the person: what the hop reads, they tick.
    inputs: [],
    outputKind: "new_asset",
    existingId: "",
    asset: emptyAssetDraft(AssetRole.OUTPUT),
  };
}

const isText = (value: unknown): value is string => typeof value === "string";

function reviveAsset(raw: unknown): AssetDraft | null {
  if (typeof raw !== "object" || raw === null) return null;
  const a = raw as Record<string, unknown>;
  if (![a.key, a.name, a.description, a.contentText].every(isText) || typeof a.isArray !== "boolean") return null;
  if (!VALUE_TYPE_VALUES.includes(a.type as never) || a.role !== AssetRole.OUTPUT) return null;
  return raw as AssetDraft;
}

/** A stored plan draft, or null when it is not one (another version, damaged). */
export function revivePlan(raw: unknown): PlanDraft | null {
  if (typeof raw !== "object" || raw === null) return null;
  const p = raw as Record<string, unknown>;
  const texts = [p.name, p.goal, p.description, p.rationale, p.criteria, p.existingId];
  if (!texts.every(isText) || typeof p.isFinal !== "boolean") return null;
  if (!Array.isArray(p.inputs) || !p.inputs.every(isText)) return null;
  if (p.outputKind !== "new_asset" && p.outputKind !== "existing_asset") return null;
  const asset = reviveAsset(p.asset);
  return asset ? ({ ...raw, asset } as PlanDraft) : null;
}
