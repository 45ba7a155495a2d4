import { useEffect, useMemo, useState } from "react";

import { acceptHopImplementation, acceptHopPlan, completeHop, executeHop, listAssets, rejectHopPlan, retryHop, startHopImplementation } from "../api/client.gen";
import { assertNever, HopStatus, ToolExecutionStatus, type AssetInfo, type Hop, type Mission } from "../api/types.gen";
import { AssetSummary } from "./Assets";
import { ErrorBanner, RichText, StatusBadge, useAction } from "./common";
import { HopPlanForm } from "./HopPlanForm";
import { ImplementationEditor } from "./ImplementationEditor";
import { StepList } from "./Steps";

type HopAction = "accept_plan" | "reject_plan" | "start_impl" | "accept_impl" | "execute" | "retry" | "complete";

const ACTION_LABELS: Record<HopAction, string> = {
  accept_plan: "Accept plan",
  reject_plan: "Reject plan",
  start_impl: "Start implementation",
  accept_impl: "Accept implementation",
  execute: "Execute hop",
  retry: "Retry",
  complete: "Complete hop",
};

/** What the transition table allows for a hop in its status (2.3 to 2.9). Forms (plan,
 * implementation) are shown for `hop_plan_started` and `hop_impl_started`. */
export function hopActions(hop: Hop): HopAction[] {
  const status = hop.status;
  switch (status) {
    case HopStatus.HOP_PLAN_STARTED:
    case HopStatus.HOP_IMPL_STARTED:
      return [];
    case HopStatus.HOP_PLAN_PROPOSED:
      return ["accept_plan", "reject_plan"];
    case HopStatus.HOP_PLAN_READY:
      return ["start_impl"];
    case HopStatus.HOP_IMPL_PROPOSED:
      return ["accept_impl"];
    case HopStatus.HOP_IMPL_READY:
      return ["execute"];
    case HopStatus.EXECUTING:
      return hop.tool_steps.length > 0 && hop.tool_steps.every((step) => step.status === ToolExecutionStatus.COMPLETED) ? ["complete"] : [];
    case HopStatus.FAILED:
      return ["retry"];
    case HopStatus.COMPLETED:
    case HopStatus.CANCELLED:
      return [];
    default:
      return assertNever(status);
  }
}

function perform(action: HopAction, hopId: string): Promise<Hop> {
  switch (action) {
    case "accept_plan":
      return acceptHopPlan(hopId);
    case "reject_plan":
      return rejectHopPlan(hopId);
    case "start_impl":
      return startHopImplementation(hopId);
    case "accept_impl":
      return acceptHopImplementation(hopId);
    case "execute":
      return executeHop(hopId);
    case "retry":
      return retryHop(hopId);
    case "complete":
      return completeHop(hopId);
    default:
      return assertNever(action);
  }
}

/** One hop: its plan, the action its status allows, the plan or implementation form, its steps. */
export function HopView({
  hop,
  mission,
  missionAssets,
  version,
  onChanged,
  onSelectAsset,
}: {
  hop: Hop;
  mission: Mission;
  missionAssets: Map<string, AssetInfo>;
  version: number;
  onChanged: () => Promise<void>;
  onSelectAsset: (assetId: string) => void;
}) {
  const [hopAssets, setHopAssets] = useState<AssetInfo[]>([]);
  const { busy, problem, setProblem, run } = useAction();

  useEffect(() => {
    const controller = new AbortController();
    listAssets({ hop_id: hop.id, limit: 200 }, { signal: controller.signal })
      .then((page) => setHopAssets(page.items))
      .catch(() => undefined);
    return () => controller.abort();
  }, [hop.id, version]);

  const assets = useMemo(() => {
    const merged = new Map(missionAssets);
    for (const asset of hopAssets) merged.set(asset.id, asset);
    return merged;
  }, [missionAssets, hopAssets]);

  const act = async (action: HopAction) => {
    const done = await run(() => perform(action, hop.id));
    if (done) await onChanged();
  };

  const waiting = hop.tool_steps.filter((step) => step.status === ToolExecutionStatus.AWAITING_CONFIGURATION).length;
  const planned = hop.status !== HopStatus.HOP_PLAN_STARTED;

  return (
    <div className="hop card inset" aria-label="Hop" data-hop-status={hop.status}>
      <div className="hop-head">
        <div>
          <p className="eyebrow">
            Hop {hop.sequence_order + 1}
            {hop.id === mission.current_hop_id ? " · current" : ""}
            {hop.is_final ? " · final" : ""}
          </p>
          <h3 className="hop-title">{hop.name}</h3>
        </div>
        <StatusBadge status={hop.status} />
      </div>
      {planned && (
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
              {hop.success_criteria.map((criterion, index) => (
                <li key={index}>{criterion}</li>
              ))}
            </ul>
          )}
          <AssetSummary summary={hop.asset_summary} assets={assets} selectedId={null} onSelect={onSelectAsset} />
        </div>
      )}
      {hop.error_message && (
        <p className="hop-error" role="alert">
          <RichText text={hop.error_message} />
        </p>
      )}
      {hop.status === HopStatus.HOP_PLAN_STARTED && <HopPlanForm hop={hop} mission={mission} missionAssets={missionAssets} onChanged={onChanged} />}
      {hop.status === HopStatus.HOP_IMPL_STARTED && <ImplementationEditor hop={hop} assets={assets} onChanged={onChanged} />}
      {hop.tool_steps.length > 0 && (
        <>
          <h4>Steps</h4>
          <StepList steps={hop.tool_steps} assets={assets} configurable={hop.status === HopStatus.HOP_IMPL_READY} onChanged={onChanged} />
        </>
      )}
      {hop.status === HopStatus.HOP_IMPL_READY && waiting > 0 && (
        <p className="muted small-text">
          {waiting} step{waiting === 1 ? " waits" : "s wait"} for configuration before the hop can run.
        </p>
      )}
      {hopActions(hop).length > 0 && (
        <div className="row actions" aria-label="Hop actions">
          {hopActions(hop).map((action) => (
            <button key={action} type="button" className={action === "reject_plan" ? "danger" : "primary"} onClick={() => void act(action)} disabled={busy}>
              {ACTION_LABELS[action]}
            </button>
          ))}
        </div>
      )}
      <ErrorBanner problem={problem} onDismiss={() => setProblem(null)} />
    </div>
  );
}
