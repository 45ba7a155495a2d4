import { type FormEvent, useState } from "react";
import { AssetRole } from "../api/types.gen";
import { AssetFields } from "../assets/AssetFields";
import { type AssetDraft, assetProposal, emptyAssetDraft, parseJson } from "../assets/draft";
import { ErrorBanner } from "../ui/ErrorBanner";
import { Field } from "../ui/Field";
import { lines } from "../ui/format";
import { type Problem, problemOf } from "../ui/problem";
import { ProposeButtons, wantsAccept } from "../workflow/ProposeButtons";
import { useProposeMission } from "./hooks";

/** Propose the session's mission (propose_mission): what it is for and the assets it reads and writes. */
export function MissionProposalForm({ sessionId }: { sessionId: string }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [goal, setGoal] = useState("");
  const [criteria, setCriteria] = useState("");
  const [assets, setAssets] = useState<AssetDraft[]>([
    emptyAssetDraft(AssetRole.INPUT),
    emptyAssetDraft(AssetRole.OUTPUT),
  ]);
  const propose = useProposeMission(sessionId);
  const [localProblem, setLocalProblem] = useState<Problem | null>(null);
  const problem = localProblem ?? problemOf(propose.error);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (propose.isPending) return;
    const badContent = assets.findIndex((asset) => !parseJson(asset.contentText).ok);
    if (badContent >= 0) {
      propose.reset();
      setLocalProblem({
        message: `Asset ${badContent + 1}: its content is not valid JSON.`,
        code: "local",
        errors: [],
      });
      return;
    }
    setLocalProblem(null);
    propose.mutate({
      body: {
        name: name.trim(),
        description: description.trim() || null,
        goal: goal.trim() || null,
        success_criteria: lines(criteria),
        assets: assets.map(assetProposal),
      },
      accept: wantsAccept(event),
    });
  };

  const shown = ["name", "description", "goal", "success_criteria"].concat(
    assets.flatMap((_, i) =>
      ["name", "role", "schema_definition.type", "description", "content"].map((f) => `assets[${i}].${f}`),
    ),
  );

  return (
    <form className="mission-form" onSubmit={submit} noValidate aria-label="Propose a mission">
      <h2>Propose a mission</h2>
      <ErrorBanner problem={problem} shownFields={shown} />
      <Field label="Name" problem={problem} path="name">
        <input name="mission-name" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Goal" problem={problem} path="goal">
        <input
          name="mission-goal"
          value={goal}
          onChange={(e) => setGoal(e.target.value)}
          placeholder="What the mission should reach"
        />
      </Field>
      <Field label="Description" problem={problem} path="description">
        <textarea
          name="mission-description"
          rows={2}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </Field>
      <Field label="Success criteria" problem={problem} path="success_criteria" hint="One per line.">
        <textarea name="mission-criteria" rows={2} value={criteria} onChange={(e) => setCriteria(e.target.value)} />
      </Field>
      <fieldset>
        <legend>Assets</legend>
        {assets.map((asset, index) => (
          <div className="asset-draft" key={asset.key} data-asset-index={index}>
            <AssetFields
              draft={asset}
              onChange={(next) => setAssets((current) => current.map((a, i) => (i === index ? next : a)))}
              problem={problem}
              path={`assets[${index}]`}
              withRole
              withContent
            />
            <button
              type="button"
              className="link small"
              onClick={() => setAssets((current) => current.filter((_, i) => i !== index))}
            >
              Remove asset
            </button>
          </div>
        ))}
        <div className="row">
          <button
            type="button"
            className="small"
            onClick={() => setAssets((current) => [...current, emptyAssetDraft(AssetRole.INPUT)])}
          >
            Add input
          </button>
          <button
            type="button"
            className="small"
            onClick={() => setAssets((current) => [...current, emptyAssetDraft(AssetRole.OUTPUT)])}
          >
            Add output
          </button>
        </div>
      </fieldset>
      <ProposeButtons propose="propose_mission" busy={propose.isPending} />
    </form>
  );
}
