import { type AssetInfo, type AssetProposalInput, type AssetRole, ValueType } from "../api/types.gen";
import { newUuid } from "../ui/ids";

/** `object[]`, `string`, ...: an asset's data type in short. */
export function typeLabel(asset: Pick<AssetInfo, "schema_definition">): string {
  const definition = asset.schema_definition;
  return `${definition.type}${definition.is_array ? "[]" : ""}`;
}

/** An asset being written in a form: the JSON content is kept as text until sent. */
export interface AssetDraft {
  /** Tells drafts apart while they are added and removed. */
  key: string;
  name: string;
  description: string;
  type: ValueType;
  isArray: boolean;
  role: AssetRole;
  contentText: string;
}

export function emptyAssetDraft(role: AssetRole): AssetDraft {
  return { key: newUuid(), name: "", description: "", type: ValueType.STRING, isArray: false, role, contentText: "" };
}

/** Parses a JSON text field; an empty text is no value. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (caught) {
    return { ok: false, reason: `not valid JSON (${caught instanceof Error ? caught.message : String(caught)})` };
  }
}

/** The proposal the server expects; content only when given. */
export function assetProposal(draft: AssetDraft): AssetProposalInput {
  const proposal: AssetProposalInput = {
    name: draft.name.trim(),
    description: draft.description.trim() || null,
    schema_definition: { type: draft.type, is_array: draft.isArray },
    role: draft.role,
  };
  const content = parseJson(draft.contentText);
  if (content.ok && content.value !== undefined) proposal.content = content.value;
  return proposal;
}
