import { useEffect, useMemo, useState } from "react";

import { acceptMission, cancelMission, completeMission, listAssets, startHopPlan } from "../api/client.gen";
import { assertNever, HopStatus, MissionStatus, UserSessionStatus, type AssetInfo, type Hop, type Mission, type UserSession } from "../api/types.gen";
import { AssetDetail, AssetSummary } from "./Assets";
import { ErrorBanner, StatusBadge, useAction } from "./common";
import { HopView } from "./HopView";
import { MissionProposalForm } from "./MissionProposalForm";

type MissionAction = "accept" | "cancel" | "complete" | "start_hop";

/** What the transition table allows for a mission in `status` (1.2, 1.3, 2.1, 2.10). */
export function missionActions(mission: Mission): MissionAction[] {
  const status = mission.status;
  switch (status) {
    case MissionStatus.AWAITING_APPROVAL:
      return ["accept", "cancel"];
    case MissionStatus.IN_PROGRESS: {
      const hop = mission.current_hop;
      const hopFinished = hop === null || hop.status === HopStatus.COMPLETED || hop.status === HopStatus.CANCELLED;
      return hopFinished ? ["start_hop", "complete", "cancel"] : ["complete", "cancel"];
    }
    case MissionStatus.COMPLETED:
    case MissionStatus.FAILED:
    case MissionStatus.CANCELLED:
      return [];
    default:
      return assertNever(status);
  }
}

const ACTION_LABELS: Record<MissionAction, string> = {
  accept: "Accept mission",
  cancel: "Cancel mission",
  complete: "Complete mission",
  start_hop: "Plan next hop",
};

/** The session's mission: proposal form, or status, actions, hops, the chosen hop and assets. */
export function MissionPanel({ session, version, onChanged }: { session: UserSession; version: number; onChanged: () => Promise<void> }) {
  const mission = session.mission;
  if (!mission) {
    return (
      <section className="mission card" aria-label="Mission">
        {session.status === UserSessionStatus.ACTIVE ? (
          <MissionProposalForm sessionId={session.id} onProposed={() => void onChanged()} />
        ) : (
          <p className="muted">This session is {session.status}; it has no mission.</p>
        )}
      </section>
    );
  }
  return <MissionView mission={mission} version={version} onChanged={onChanged} />;
}

function MissionView({ mission, version, onChanged }: { mission: Mission; version: number; onChanged: () => Promise<void> }) {
  const [assets, setAssets] = useState<AssetInfo[]>([]);
  const [chosenHopId, setChosenHopId] = useState<string | null>(null);
  const [selectedAssetId, setSelectedAssetId] = useState<string | null>(null);
  const { busy, problem, setProblem, run } = useAction();

  useEffect(() => {
    const controller = new AbortController();
    listAssets({ mission_id: mission.id, limit: 200 }, { signal: controller.signal })
      .then((page) => setAssets(page.items))
      .catch(() => undefined);
    return () => controller.abort();
  }, [mission.id, version]);

  const assetsById = useMemo(() => new Map(assets.map((asset) => [asset.id, asset])), [assets]);
  const hop: Hop | null = mission.hops.find((h) => h.id === chosenHopId) ?? mission.current_hop ?? mission.hops[mission.hops.length - 1] ?? null;

  const act = async (action: MissionAction) => {
    const done = await run(async () => {
      switch (action) {
        case "accept":
          return acceptMission(mission.id);
        case "cancel":
          return cancelMission(mission.id);
        case "complete":
          return completeMission(mission.id);
        case "start_hop": {
          const started = await startHopPlan(mission.id);
          setChosenHopId(started.id);
          return started;
        }
        default:
          return assertNever(action);
      }
    });
    if (done) await onChanged();
  };

  return (
    <section className="mission card" aria-label="Mission">
      <div className="mission-head">
        <div>
          <p className="eyebrow">Mission</p>
          <h2 className="mission-name">{mission.name}</h2>
        </div>
        <StatusBadge status={mission.status} />
      </div>
      {mission.goal && (
        <p className="goal">
          <strong>Goal:</strong> {mission.goal}
        </p>
      )}
      {mission.description && <p className="muted">{mission.description}</p>}
      {mission.success_criteria.length > 0 && (
        <ul className="criteria">
          {mission.success_criteria.map((criterion, index) => (
            <li key={index}>{criterion}</li>
          ))}
        </ul>
      )}
      <div className="row actions" aria-label="Mission actions">
        {missionActions(mission).map((action) => (
          <button
            key={action}
            type="button"
            className={action === "cancel" ? "danger" : "primary"}
            onClick={() => void act(action)}
            disabled={busy}
          >
            {ACTION_LABELS[action]}
          </button>
        ))}
      </div>
      <ErrorBanner problem={problem} onDismiss={() => setProblem(null)} />

      <h3>Hops</h3>
      {mission.hops.length === 0 ? (
        <p className="muted">
          {mission.status === MissionStatus.AWAITING_APPROVAL ? "Accept the mission to plan its first hop." : "No hops yet."}
        </p>
      ) : (
        <ol className="hop-list">
          {mission.hops.map((h) => (
            <li key={h.id}>
              <button
                type="button"
                className={`hop-item${h.id === hop?.id ? " selected" : ""}${h.id === mission.current_hop_id ? " current" : ""}`}
                onClick={() => setChosenHopId(h.id)}
                data-hop-id={h.id}
              >
                <span className="hop-number">{h.sequence_order + 1}</span>
                <span className="hop-name">{h.name}</span>
                {h.id === mission.current_hop_id && <span className="current-tag">current</span>}
                {h.is_final && <span className="type-tag">final</span>}
                <StatusBadge status={h.status} />
              </button>
            </li>
          ))}
        </ol>
      )}
      {hop && <HopView key={hop.id} hop={hop} mission={mission} missionAssets={assetsById} version={version} onChanged={onChanged} onSelectAsset={setSelectedAssetId} />}

      <h3>Assets</h3>
      <AssetSummary summary={mission.asset_summary} assets={assetsById} selectedId={selectedAssetId} onSelect={setSelectedAssetId} />
      {selectedAssetId && <AssetDetail assetId={selectedAssetId} version={version} onClose={() => setSelectedAssetId(null)} />}
    </section>
  );
}
