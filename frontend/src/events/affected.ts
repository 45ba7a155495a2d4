import type { QueryKey } from "@tanstack/react-query";

import { assertNever, type ChatEvent, MessageRole, WorkflowEntity, type WorkflowEvent } from "../api/types.gen";
import { assetKeys } from "../assets/keys";
import { chatKeys } from "../chat/keys";
import { missionKeys } from "../missions/keys";
import { sessionKeys } from "../sessions/keys";

/** The queries one live event may have made out of date, by the entity it names and the
 * mission and hop it belongs to. */
export function affectedQueries(event: WorkflowEvent): QueryKey[] {
  const keys: QueryKey[] = [];
  switch (event.entity) {
    case WorkflowEntity.SESSION:
      keys.push(sessionKeys.detail(event.id), sessionKeys.lists(), sessionKeys.active());
      break;
    case WorkflowEntity.MISSION:
      // A mission's status shows in its sessions, and a new mission belongs to a session.
      keys.push(missionKeys.detail(event.id), sessionKeys.all);
      break;
    case WorkflowEntity.HOP:
      // Read with its mission (below).
      break;
    case WorkflowEntity.TOOL_STEP:
      // A step writes the content of assets.
      keys.push(assetKeys.details());
      break;
    case WorkflowEntity.ASSET:
      keys.push(assetKeys.detail(event.id));
      // Asset events may not name their mission: then any list may hold the asset.
      if (event.mission_id === null) keys.push(assetKeys.lists());
      break;
    default:
      assertNever(event.entity);
  }
  if (event.mission_id !== null) {
    keys.push(missionKeys.detail(event.mission_id), assetKeys.listsOf({ missionId: event.mission_id, hopId: null }));
  }
  if (event.hop_id !== null) keys.push(assetKeys.listsOf({ hopId: event.hop_id }));
  return keys;
}

/** The queries one live chat event may have made out of date: a stored message is read with
 * its session (a user's moves the session up the list); a turn that starts or ends changes
 * the session's assistant state. The streaming text itself goes straight into the cache
 * (`chat/live.ts`). */
export function chatAffectedQueries(event: ChatEvent): QueryKey[] {
  switch (event.type) {
    case "message_stored":
      return event.role === MessageRole.USER
        ? [sessionKeys.detail(event.session_id), sessionKeys.lists()]
        : [sessionKeys.detail(event.session_id)];
    case "turn_started":
    case "turn_ended":
      return [chatKeys.assistant(event.session_id)];
    case "tokens":
    case "activity":
      return [];
    default:
      return assertNever(event);
  }
}
