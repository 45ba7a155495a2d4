import { type Actor, type ChatMessage, MessageRole, type Mission, TurnOutcome } from "../api/types.gen";
import { formatTime } from "../ui/format";
import type { LiveTurn } from "./live";
import { assistantNoteOf, statusNoteOf } from "./notes";
import { ProposalCardView } from "./ProposalCard";

const ACTORS: Record<Actor, string> = { person: "by you", assistant: "by the assistant", server: "by the server" };

/** One stored message: the user's and the assistant's as bubbles, a transition's as a status
 * line, a proposal's as a card. */
export function ChatMessageItem({
  message,
  sessionId,
  superseded,
  mission,
}: {
  message: ChatMessage;
  sessionId: string;
  superseded: boolean;
  mission: Mission | null;
}) {
  const status = statusNoteOf(message);
  if (message.role === MessageRole.STATUS) {
    return (
      <li className="status-line" data-sequence={message.sequence_order} data-transition={status?.transition}>
        <span className="status-text">{message.content}</span>
        <span className="muted status-by">
          {status ? ACTORS[status.actor] : ""} · {formatTime(message.created_at)}
        </span>
        {status?.proposal && (
          <ProposalCardView
            sessionId={sessionId}
            card={status.proposal}
            actor={status.actor}
            superseded={superseded}
            initialMission={mission}
          />
        )}
      </li>
    );
  }
  const note = assistantNoteOf(message);
  const outcome = note?.outcome ?? null;
  const tone =
    outcome === TurnOutcome.FAILED ? " message-failed" : outcome === TurnOutcome.CANCELLED ? " message-stopped" : "";
  return (
    <li
      className={`message message-${message.role}${tone}`}
      data-sequence={message.sequence_order}
      data-outcome={outcome ?? undefined}
    >
      <div className="message-meta">
        <span className="message-role">{message.role === MessageRole.ASSISTANT ? "assistant" : message.role}</span>
        <span className="muted">{formatTime(message.created_at)}</span>
      </div>
      <div className="message-content">{message.content}</div>
    </li>
  );
}

/** The reply streaming in now, until its stored message replaces it. */
export function LiveReply({
  live,
  onCancel,
  cancelling,
}: {
  live: LiveTurn;
  onCancel: () => void;
  cancelling: boolean;
}) {
  return (
    <li className="message message-assistant message-live" data-turn={live.turnId} aria-live="polite">
      <div className="message-meta">
        <span className="message-role">assistant</span>
        {!live.ended && (
          <button type="button" className="link" onClick={onCancel} disabled={cancelling}>
            Stop
          </button>
        )}
      </div>
      <div className="live-text">
        {live.text}
        {!live.ended && <span className="typing" aria-hidden="true" />}
      </div>
      {live.activity && <div className="live-activity muted">{live.activity}…</div>}
    </li>
  );
}
