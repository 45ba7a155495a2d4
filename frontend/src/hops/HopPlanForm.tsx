import { type FormEvent, useCallback } from "react";
import type { AssetInfo, Hop, HopOutputInput, Mission } from "../api/types.gen";
import { AssetFields } from "../assets/AssetFields";
import { assetProposal, typeLabel } from "../assets/draft";
import { ErrorBanner } from "../ui/ErrorBanner";
import { Field } from "../ui/Field";
import { lines } from "../ui/format";
import { problemOf } from "../ui/problem";
import { ProposeButtons, wantsAccept } from "../workflow/ProposeButtons";
import { DraftNote } from "./DraftNote";
import { useProposeHopPlan } from "./hooks";
import { initialPlan, type PlanDraft, revivePlan } from "./planDraft";
import { useLeaveWarning, useStoredDraft } from "./storedDraft";

/** Propose a hop's plan (propose_hop_plan): what it reads among the mission's assets and what
 * it writes, a new asset or an existing mission asset. The form is kept as a draft in the
 * browser until proposed (./storedDraft.ts). */
export function HopPlanForm({
  hop,
  mission,
  missionAssets,
}: {
  hop: Hop;
  mission: Mission;
  missionAssets: Map<string, AssetInfo>;
}) {
  const initial = useCallback(() => initialPlan(hop), [hop]);
  const draft = useStoredDraft(`hop-plan:${hop.id}`, initial, revivePlan);
  const { name, goal, description, rationale, criteria, isFinal, inputs, outputKind, existingId } = draft.value;
  const set = <K extends keyof PlanDraft>(field: K, value: PlanDraft[K]) =>
    draft.setValue((was) => ({ ...was, [field]: value }));
  const setInputs = (update: (was: string[]) => string[]) =>
    draft.setValue((was) => ({ ...was, inputs: update(was.inputs) }));
  useLeaveWarning(draft.unsaved);
  const candidates = Object.keys(mission.mission_asset_map)
    .map((id) => missionAssets.get(id))
    .filter((asset): asset is AssetInfo => asset !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true, sensitivity: "base" }));
  const propose = useProposeHopPlan(mission.id, hop.id);
  const problem = problemOf(propose.error);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (propose.isPending) return;
    const output: HopOutputInput =
      outputKind === "new_asset"
        ? { type: "new_asset", asset: assetProposal(draft.value.asset) }
        : { type: "existing_asset", mission_asset_id: existingId };
    // Proposed, the draft is done with (the refusal of a proposal keeps it).
    propose
      .mutateAsync({
        body: {
          name: name.trim(),
          goal: goal.trim() || null,
          description: description.trim() || null,
          rationale: rationale.trim() || null,
          success_criteria: lines(criteria),
          is_final: isFinal,
          inputs,
          output,
        },
        accept: wantsAccept(event),
      })
      .then(draft.clear, () => undefined);
  };

  const shown = [
    "name",
    "goal",
    "description",
    "rationale",
    "success_criteria",
    "inputs",
    "output.mission_asset_id",
  ].concat(["name", "schema_definition.type", "description"].map((f) => `output.asset.${f}`));

  return (
    <form className="hop-plan-form" onSubmit={submit} noValidate aria-label="Hop plan">
      <h4>Plan this hop</h4>
      <DraftNote restoredAt={draft.restoredAt} onDiscard={draft.discard} />
      <ErrorBanner problem={problem} shownFields={shown} />
      <Field label="Name" problem={problem} path="name">
        <input name="hop-name" value={name} onChange={(e) => set("name", e.target.value)} />
      </Field>
      <Field label="Goal" problem={problem} path="goal">
        <input name="hop-goal" value={goal} onChange={(e) => set("goal", e.target.value)} />
      </Field>
      <Field label="Description" problem={problem} path="description">
        <input name="hop-description" value={description} onChange={(e) => set("description", e.target.value)} />
      </Field>
      <Field label="Rationale" problem={problem} path="rationale">
        <input name="hop-rationale" value={rationale} onChange={(e) => set("rationale", e.target.value)} />
      </Field>
      <Field label="Success criteria" problem={problem} path="success_criteria" hint="One per line.">
        <textarea name="hop-criteria" rows={2} value={criteria} onChange={(e) => set("criteria", e.target.value)} />
      </Field>
      <label className="checkbox">
        <input
          name="hop-is-final"
          type="checkbox"
          checked={isFinal}
          onChange={(e) => set("isFinal", e.target.checked)}
        />
        Final hop (completing it completes the mission)
      </label>
      <fieldset>
        <legend>Inputs</legend>
        {candidates.length === 0 && <p className="muted small-text">The mission has no assets.</p>}
        {candidates.map((asset) => (
          <label key={asset.id} className="checkbox">
            <input
              type="checkbox"
              name="hop-input"
              value={asset.id}
              checked={inputs.includes(asset.id)}
              onChange={(e) =>
                setInputs((current) =>
                  e.target.checked ? [...current, asset.id] : current.filter((id) => id !== asset.id),
                )
              }
            />
            {asset.name} <span className="type-tag">{typeLabel(asset)}</span>{" "}
            <span className="muted">{mission.mission_asset_map[asset.id]}</span>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Output</legend>
        <div className="row">
          <label className="checkbox">
            <input
              type="radio"
              name="hop-output-kind"
              checked={outputKind === "new_asset"}
              onChange={() => set("outputKind", "new_asset")}
            />
            A new asset
          </label>
          <label className="checkbox">
            <input
              type="radio"
              name="hop-output-kind"
              checked={outputKind === "existing_asset"}
              onChange={() => set("outputKind", "existing_asset")}
            />
            An existing mission asset
          </label>
        </div>
        {outputKind === "new_asset" ? (
          <AssetFields
            draft={draft.value.asset}
            onChange={(asset) => set("asset", asset)}
            problem={problem}
            path="output.asset"
            withRole={false}
            withContent={false}
          />
        ) : (
          <Field label="Asset" problem={problem} path="output.mission_asset_id">
            <select name="hop-output-existing" value={existingId} onChange={(e) => set("existingId", e.target.value)}>
              <option value="">Choose an asset…</option>
              {candidates.map((asset) => (
                <option key={asset.id} value={asset.id}>
                  {asset.name} ({typeLabel(asset)}, {mission.mission_asset_map[asset.id]})
                </option>
              ))}
            </select>
          </Field>
        )}
      </fieldset>
      <ProposeButtons propose="propose_hop_plan" busy={propose.isPending} />
    </form>
  );
}
