import { useMutation, useQueryClient } from "@tanstack/react-query";

import { performTransition } from "../api/transitions.gen";
import type { Hop, Mission, UserSession } from "../api/types.gen";
import type { ButtonTransition } from "./actions";
import { refreshMission } from "./refresh";

/** Performs a button's transition on a mission or one of its hops (`id`), then reads the
 * mission again (after a refusal too). */
export function usePerformTransition(missionId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, id }: { name: ButtonTransition; id: string }): Promise<Mission | Hop | UserSession> =>
      performTransition[name](id),
    onSuccess: () => refreshMission(queryClient, missionId),
    // A refusal often means the page missed a change: it shows the mission as it is now.
    onError: () => refreshMission(queryClient, missionId),
  });
}
