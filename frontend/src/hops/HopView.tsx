import { useMemo } from "react";

import { isAllowed } from "../api/transitions.gen";
import type { AssetInfo, Hop, Mission } from "../api/types.gen";
import { AssetSummary } from "../assets/AssetSummary";
import { useAssets } from "../assets/hooks";
import { StepList } from "../tools/StepList";
import { ErrorBanner } from "../ui/ErrorBanner";
import { keyedTexts } from "../ui/keys";
import { problemOf } from "../ui/problem";
import { RichText } from "../ui/RichText";
import { StatusBadge } from "../ui/StatusBadge";
import { buttonActions } from "../workflow/actions";
import { usePerformTransition } from "../workflow/hooks";
import { TransitionButtons } from "../workflow/TransitionButtons";
import { HopPlanForm } from "./HopPlanForm";
import { ImplementationEditor } from "./implementation/ImplementationEditor";

/** One hop: its plan, the actions its status allows, the plan or implementation form while
 * the hop waits for one, its steps. */
export function HopView({
  hop,
  mission,
  missionAssets,
  onSelectAsset,
}: {
  hop: Hop;
  mission: Mission;
  missionAssets: Map<string, AssetInfo>;
  onSelectAsset: (assetId: string) => void;
}) {
  const hopAssets = useAssets({ missionId: mission.id, hopId: hop.id }).data;
  const perform = usePerformTransition(mission.id);

  const assets = useMemo(() => {
    const merged = new Map(missionAssets);
    for (const [id, asset] of hopAssets ?? []) merged.set(id, asset);
    return merged;
  }, [missionAssets, hopAssets]);

  const actions = buttonActions(
    "hop",
    hop.status,
    hop.tool_steps.map((step) => step.status),
  );
  const planning = isAllowed("propose_hop_plan", "hop", hop.status);
  // Steps are configured once the implementation is accepted, while the hop waits to run.
  const configurable = isAllowed("execute_hop", "hop", hop.status);

  return (
    <section
      className="hop card inset"
      aria-label={`Hop ${hop.sequence_order + 1}`}
      data-hop-status={hop.status}
      data-focus-home={`hop-${hop.id}`}
      tabIndex={-1}
    >
      <div className="hop-head">
        <div>
          <p className="eyebrow">
            Hop {hop.sequence_order + 1}
            {hop.id === mission.current_hop_id ? " · current" : ""}
            {hop.is_final ? " · final" : ""}
          </p>
          <h3 className="hop-title">{hop.name}</h3>
        </div>
        <StatusBadge status={hop.status} entity="hop" />
      </div>
      {!planning && <HopPlan hop={hop} assets={assets} onSelectAsset={onSelectAsset} />}
      {hop.error_message && (
        <p className="hop-error" role="alert">
          <RichText text={hop.error_message} />
        </p>
      )}
      {planning && <HopPlanForm hop={hop} mission={mission} missionAssets={missionAssets} />}
      {isAllowed("propose_hop_implementation", "hop", hop.status) && (
        <ImplementationEditor missionId={mission.id} hop={hop} assets={assets} />
      )}
      {hop.tool_steps.length > 0 && (
        <>
          <h4>Steps</h4>
          <StepList
            missionId={mission.id}
            steps={hop.tool_steps}
            assets={assets}
            configurable={configurable}
            hopStatus={hop.status}
          />
        </>
      )}
      {actions.length > 0 && (
        <TransitionButtons
          actions={actions}
          subject={`the hop “${hop.name}”`}
          busy={perform.isPending}
          onPerform={(name) => perform.mutateAsync({ name, id: hop.id })}
          confirmAlso={hop.is_final ? ["complete_hop"] : []}
        />
      )}
      <ErrorBanner problem={problemOf(perform.error)} onDismiss={perform.reset} />
    </section>
  );
}

/** What the hop's plan says: goal, description, rationale, criteria and its assets. */
function HopPlan({
  hop,
  assets,
  onSelectAsset,
}: {
  hop: Hop;
  assets: Map<string, AssetInfo>;
  onSelectAsset: (assetId: string) => void;
}) {
  return (
    <div className="hop-plan">
      {hop.goal && (
        <p>
          <strong>Goal:</strong> {hop.goal}
        </p>
      )}
      {hop.description && <p className="muted">{hop.description}</p>}
      {hop.rationale && (
        <p className="muted">
          <strong>Rationale:</strong> {hop.rationale}
        </p>
      )}
      {hop.success_criteria.length > 0 && (
        <ul className="criteria">
          {keyedTexts(hop.success_criteria).map(([key, criterion]) => (
            <li key={key}>{criterion}</li>
          ))}
        </ul>
      )}
      <AssetSummary summary={hop.asset_summary} assets={assets} selectedId={null} onSelect={onSelectAsset} />
    </div>
  );
}
