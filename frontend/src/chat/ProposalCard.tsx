import { type FormEvent, useState } from "react";

import { isAllowed, TRANSITIONS } from "../api/transitions.gen";
import {
  Actor,
  type AssetInfo,
  type Hop,
  HopStatus,
  MessageRole,
  type Mission,
  MissionStatus,
  type ProposalCard,
} from "../api/types.gen";
import { useAssets } from "../assets/hooks";
import { useMission } from "../missions/hooks";
import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { StatusBadge } from "../ui/StatusBadge";
import { type Action, type ButtonTransition, buttonActions, isUndoing } from "../workflow/actions";
import { usePerformTransition } from "../workflow/hooks";
import { TransitionButtons } from "../workflow/TransitionButtons";
import { useAppendChatMessage, useSendBack } from "./hooks";
import { ChainProposalBody, HopPlanProposalBody, MissionProposalBody } from "./ProposalBody";

type Kind = ProposalCard["kind"];

/** The transition that accepts each kind of proposal, and the one that sends it back. */
const ACCEPT = {
  mission: "accept_mission",
  hop_plan: "accept_hop_plan",
  hop_implementation: "accept_hop_implementation",
} as const satisfies Record<Kind, ButtonTransition>;
const REJECT = {
  mission: "cancel_mission",
  hop_plan: "reject_hop_plan",
  hop_implementation: "reject_hop_implementation",
} as const satisfies Record<Kind, ButtonTransition>;
/** The transition a hop allows again once its plan or chain was sent back. */
const PROPOSE_AGAIN = { hop_plan: "propose_hop_plan", hop_implementation: "propose_hop_implementation" } as const;

const TITLES: Record<Kind, string> = {
  mission: "Proposed mission",
  hop_plan: "Proposed hop plan",
  hop_implementation: "Proposed tool chain",
};

/** Where a card stands: waiting for the user, decided, or replaced by a revised proposal. */
export type CardState = "open" | "accepted" | "rejected" | "cancelled" | "superseded" | "loading";

const STATE_LABELS: Record<CardState, string> = {
  open: "Waiting for your decision",
  accepted: "Accepted",
  rejected: "Sent back",
  cancelled: "Cancelled",
  superseded: "Replaced by a revised proposal",
  loading: "…",
};

/** The card's state, from the mission and hop as they are now (read from the transition table). */
export function cardState(card: ProposalCard, superseded: boolean, mission?: Mission, hop?: Hop | null): CardState {
  if (superseded) return "superseded";
  if (!mission) return "loading";
  if (card.kind === "mission") {
    if (isAllowed(ACCEPT.mission, "mission", mission.status)) return "open";
    return mission.status === MissionStatus.CANCELLED ? "rejected" : "accepted";
  }
  if (!hop) return "rejected"; // the hop was removed
  if (isAllowed(ACCEPT[card.kind], "hop", hop.status)) return "open";
  if (hop.status === HopStatus.CANCELLED) return "cancelled";
  return isAllowed(PROPOSE_AGAIN[card.kind], "hop", hop.status) ? "rejected" : "accepted";
}

const NO_ASSETS: Map<string, AssetInfo> = new Map();

/** A proposal of the chat as a card: what was proposed, where it stands now, and, for the
 * assistant's proposals, Accept, Reject (with a reason, if given) and a way to ask for
 * changes; an accepted tool chain's card offers what its hop allows next (execute, retry). */
export function ProposalCardView({
  sessionId,
  card,
  actor,
  superseded,
  initialMission,
}: {
  sessionId: string;
  card: ProposalCard;
  actor: Actor;
  superseded: boolean;
  initialMission: Mission | null;
}) {
  const { data: mission } = useMission(card.mission_id, initialMission);
  const assets = useAssets({ missionId: card.mission_id, hopId: null }).data ?? NO_ASSETS;
  const hop = card.kind === "mission" ? null : (mission?.hops.find((h) => h.id === card.hop_id) ?? null);
  const state = cardState(card, superseded, mission, hop);
  const decides = actor === Actor.ASSISTANT && state === "open";
  const entityId = card.kind === "mission" ? card.mission_id : card.hop_id;
  const next =
    actor === Actor.ASSISTANT && card.kind === "hop_implementation" && state === "accepted" && hop
      ? buttonActions(
          "hop",
          hop.status,
          hop.tool_steps.map((step) => step.status),
        ).filter((action) => !isUndoing(action.name))
      : [];

  return (
    <article
      className={`proposal-card proposal-${state}`}
      data-proposal-kind={card.kind}
      data-state={state}
      aria-label={TITLES[card.kind]}
    >
      <header className="proposal-head">
        <span className="proposal-kind">{TITLES[card.kind]}</span>
        <span className="proposal-state">{STATE_LABELS[state]}</span>
        {mission && state !== "superseded" && (
          <StatusBadge
            status={card.kind === "mission" ? mission.status : (hop?.status ?? "removed")}
            entity={card.kind === "mission" ? "mission" : "hop"}
          />
        )}
      </header>
      {card.kind === "mission" && <MissionProposalBody proposal={card.proposal} />}
      {card.kind === "hop_plan" && <HopPlanProposalBody proposal={card.proposal} assets={assets} />}
      {card.kind === "hop_implementation" && <ChainProposalBody proposal={card.proposal} assets={assets} />}
      {decides && <Decision sessionId={sessionId} missionId={card.mission_id} kind={card.kind} entityId={entityId} />}
      {next.length > 0 && hop && <NextActions missionId={card.mission_id} hop={hop} actions={next} />}
    </article>
  );
}

function Decision({
  sessionId,
  missionId,
  kind,
  entityId,
}: {
  sessionId: string;
  missionId: string;
  kind: Kind;
  entityId: string;
}) {
  const perform = usePerformTransition(missionId);
  const sendBack = useSendBack(sessionId, missionId);
  const append = useAppendChatMessage(sessionId);
  const [reason, setReason] = useState("");
  const busy = perform.isPending || sendBack.isPending || append.isPending;
  const askForChanges = (event: FormEvent) => {
    event.preventDefault();
    const text = reason.trim();
    if (text) append.mutate({ role: MessageRole.USER, content: text }, { onSuccess: () => setReason("") });
  };
  return (
    <form className="proposal-decision" onSubmit={askForChanges}>
      <div className="row actions">
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => perform.mutate({ name: ACCEPT[kind], id: entityId })}
        >
          {TRANSITIONS[ACCEPT[kind]].label}
        </button>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() => sendBack.mutate({ name: REJECT[kind], id: entityId, reason: reason.trim() })}
        >
          {TRANSITIONS[REJECT[kind]].label}
        </button>
      </div>
      <textarea
        name="proposal-reason"
        rows={2}
        placeholder="What should change? (Ask for changes, or give a reason with the second button)"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <button type="submit" disabled={busy || !reason.trim()}>
        Ask for changes
      </button>
      <ErrorBanner problem={problemOf(perform.error ?? sendBack.error ?? append.error)} onDismiss={perform.reset} />
    </form>
  );
}

function NextActions({ missionId, hop, actions }: { missionId: string; hop: Hop; actions: Action[] }) {
  const perform = usePerformTransition(missionId);
  return (
    <div className="proposal-next">
      <TransitionButtons
        actions={actions}
        subject={`the hop “${hop.name}”`}
        busy={perform.isPending}
        onPerform={(name) => perform.mutateAsync({ name, id: hop.id })}
        confirmAlso={hop.is_final ? ["complete_hop"] : []}
      />
      <ErrorBanner problem={problemOf(perform.error)} onDismiss={perform.reset} />
    </div>
  );
}
