import { useState } from "react";

import { isAllowed, TRANSITIONS } from "../api/transitions.gen";
import { type AssetInfo, type Hop, type Mission, type UserSession, WorkflowEntity } from "../api/types.gen";
import { AssetDetail } from "../assets/AssetDetail";
import { AssetSummary } from "../assets/AssetSummary";
import { useAssets } from "../assets/hooks";
import { HopView } from "../hops/HopView";
import { ErrorBanner } from "../ui/ErrorBanner";
import { keyedTexts } from "../ui/keys";
import { statusLabel } from "../ui/labels";
import { problemOf } from "../ui/problem";
import { StatusBadge } from "../ui/StatusBadge";
import { usePerformTransition } from "../workflow/hooks";
import { TransitionButtons } from "../workflow/TransitionButtons";
import { missionActions } from "./actions";
import { HopList } from "./HopList";
import { useMission } from "./hooks";
import { MissionProposalForm } from "./MissionProposalForm";
import { TemplateStartForm } from "./TemplateStartForm";

const NO_ASSETS: Map<string, AssetInfo> = new Map();

/** The session's mission, or the form that proposes one while the session allows it. */
export function MissionPanel({ session }: { session: UserSession }) {
  if (session.mission_id === null) {
    return (
      <section className="mission card" aria-label="Mission">
        {isAllowed("propose_mission", "session", session.status) ? (
          <>
            <TemplateStartForm sessionId={session.id} />
            <MissionProposalForm sessionId={session.id} />
          </>
        ) : (
          <p className="muted">
            This session is {statusLabel(session.status, "session").toLowerCase()}; it has no mission.
          </p>
        )}
      </section>
    );
  }
  return <SessionMission missionId={session.mission_id} initial={session.mission} />;
}

function SessionMission({ missionId, initial }: { missionId: string; initial: Mission | null }) {
  const { data: mission, error } = useMission(missionId, initial);
  if (!mission) {
    return (
      <section className="mission card" aria-label="Mission">
        {error ? <ErrorBanner problem={problemOf(error)} /> : <p className="muted">Loading mission…</p>}
      </section>
    );
  }
  return <MissionView mission={mission} />;
}

/** The mission: status, actions, hops, the chosen hop and the assets. */
function MissionView({ mission }: { mission: Mission }) {
  const assets = useAssets({ missionId: mission.id, hopId: null }).data ?? NO_ASSETS;
  const [chosenHopId, setChosenHopId] = useState<string | null>(null);
  const [selectedAssetId, setSelectedAssetId] = useState<string | null>(null);
  const perform = usePerformTransition(mission.id);

  const hop: Hop | null =
    mission.hops.find((h) => h.id === chosenHopId) ??
    mission.current_hop ??
    mission.hops[mission.hops.length - 1] ??
    null;

  return (
    <section className="mission card" aria-label="Mission" data-focus-home="mission" tabIndex={-1}>
      <div className="mission-head">
        <div>
          <p className="eyebrow">Mission</p>
          <h2 className="mission-name">{mission.name}</h2>
        </div>
        <StatusBadge status={mission.status} entity="mission" />
      </div>
      {mission.goal && (
        <p className="goal">
          <strong>Goal:</strong> {mission.goal}
        </p>
      )}
      {mission.description && <p className="muted">{mission.description}</p>}
      {mission.success_criteria.length > 0 && (
        <ul className="criteria">
          {keyedTexts(mission.success_criteria).map(([key, criterion]) => (
            <li key={key}>{criterion}</li>
          ))}
        </ul>
      )}
      <TransitionButtons
        actions={missionActions(mission, assets)}
        subject={`the mission “${mission.name}”`}
        busy={perform.isPending}
        onPerform={async (name) => {
          const made = await perform.mutateAsync({ name, id: mission.id });
          // A transition that creates a hop shows it.
          if (TRANSITIONS[name].creates === WorkflowEntity.HOP) setChosenHopId(made.id);
        }}
      />
      <ErrorBanner problem={problemOf(perform.error)} onDismiss={perform.reset} />

      <h3>Hops</h3>
      {mission.hops.length === 0 ? (
        <p className="muted">
          {isAllowed("accept_mission", "mission", mission.status)
            ? "Accept the mission to plan its first hop."
            : "No hops yet."}
        </p>
      ) : (
        <HopList mission={mission} selectedId={hop?.id ?? null} onSelect={(h) => setChosenHopId(h.id)} />
      )}
      {hop && (
        <HopView key={hop.id} hop={hop} mission={mission} missionAssets={assets} onSelectAsset={setSelectedAssetId} />
      )}

      <h3>Assets</h3>
      <AssetSummary
        summary={mission.asset_summary}
        assets={assets}
        selectedId={selectedAssetId}
        onSelect={setSelectedAssetId}
        searchable
      />
      {selectedAssetId && <AssetDetail assetId={selectedAssetId} onClose={() => setSelectedAssetId(null)} />}
    </section>
  );
}
