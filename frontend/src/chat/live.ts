import type { QueryClient } from "@tanstack/react-query";

import { assertNever, type ChatEvent } from "../api/types.gen";
import { chatKeys } from "./keys";

/** The assistant's reply as it streams in, until its stored message is read. */
export interface LiveTurn {
  turnId: string;
  text: string;
  /** What it does besides writing (looking something up, proposing), when it says so. */
  activity: string | null;
  ended: boolean;
}

/** Puts a live chat event into the cache: the streaming reply of its session. What the
 * event makes out of date is read again separately (`events/affected.ts`). */
export function applyChatEvent(queryClient: QueryClient, event: ChatEvent): void {
  const key = chatKeys.live(event.session_id);
  const update = (turnId: string, change: (turn: LiveTurn) => LiveTurn) =>
    queryClient.setQueryData<LiveTurn>(key, (turn) => (turn && turn.turnId === turnId ? change(turn) : turn));
  switch (event.type) {
    case "turn_started":
      queryClient.setQueryData<LiveTurn>(key, { turnId: event.turn_id, text: "", activity: null, ended: false });
      break;
    case "tokens":
      update(event.turn_id, (turn) => ({ ...turn, text: turn.text + event.text, activity: null }));
      break;
    case "activity":
      update(event.turn_id, (turn) => ({ ...turn, activity: event.activity }));
      break;
    case "turn_ended":
      update(event.turn_id, (turn) => ({ ...turn, ended: true, activity: null }));
      break;
    case "message_stored":
      break;
    default:
      assertNever(event);
  }
}
