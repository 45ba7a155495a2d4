import type { QueryClient } from "@tanstack/react-query";

import { assetKeys } from "../assets/keys";
import { missionKeys } from "../missions/keys";
import { sessionKeys } from "../sessions/keys";

/** Reads again what a transition of the mission may have changed: the mission with its hops
 * and steps, its assets and the sessions (whose status may follow). Resolves once what is on
 * screen has been read. */
export async function refreshMission(queryClient: QueryClient, missionId: string): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: missionKeys.detail(missionId) }),
    queryClient.invalidateQueries({ queryKey: assetKeys.listsOf({ missionId }) }),
    queryClient.invalidateQueries({ queryKey: assetKeys.details() }),
    queryClient.invalidateQueries({ queryKey: sessionKeys.all }),
  ]);
}
