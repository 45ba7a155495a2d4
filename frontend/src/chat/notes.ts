import {
  type AssistantNote,
  type ChatMessage,
  MessageRole,
  type ProposalCard,
  type StatusNote,
} from "../api/types.gen";

/** The typed metadata of a `status` message: the transition it records. */
export function statusNoteOf(message: ChatMessage): StatusNote | null {
  if (message.role !== MessageRole.STATUS) return null;
  const note = message.message_metadata as Partial<StatusNote>;
  return typeof note.transition === "string" && typeof note.entity === "string" ? (note as StatusNote) : null;
}

/** The typed metadata of an `assistant` message: the turn that wrote it. */
export function assistantNoteOf(message: ChatMessage): AssistantNote | null {
  if (message.role !== MessageRole.ASSISTANT) return null;
  const note = message.message_metadata as Partial<AssistantNote>;
  return typeof note.turn_id === "string" && typeof note.outcome === "string" ? (note as AssistantNote) : null;
}

/** What a card proposes for: the mission, or one hop's plan or tool chain. */
function target(card: ProposalCard): string {
  return card.kind === "mission" ? card.kind : `${card.kind}:${card.hop_id}`;
}

/** The cards of the chat that a later card replaced (a revised proposal for the same thing). */
export function supersededCards(messages: readonly ChatMessage[]): Set<string> {
  const latest = new Map<string, string>();
  for (const message of messages) {
    const card = statusNoteOf(message)?.proposal;
    if (card) latest.set(target(card), message.id);
  }
  const replaced = new Set<string>();
  for (const message of messages) {
    const card = statusNoteOf(message)?.proposal;
    if (card && latest.get(target(card)) !== message.id) replaced.add(message.id);
  }
  return replaced;
}
