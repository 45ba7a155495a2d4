import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { getMission } from "../api/client.gen";
import { performTransition } from "../api/transitions.gen";
import type { Mission, MissionProposalInput } from "../api/types.gen";
import { sessionKeys } from "../sessions/keys";
import { missionKeys } from "./keys";

/** One mission with its hops, their tool steps and the asset maps. `initial` is the copy its
 * session came with: shown at once, then the live events (which name their mission) say when
 * to read it again, so it is never read again just for being shown. */
export function useMission(missionId: string, initial: Mission | null) {
  return useQuery({
    queryKey: missionKeys.detail(missionId),
    queryFn: ({ signal }) => getMission(missionId, { signal }),
    initialData: initial?.id === missionId ? initial : undefined,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Proposes the session's mission (propose_mission) and, with `accept`, accepts it at once
 * (accept_mission: the person's own proposal), then reads the session again. */
export function useProposeMission(sessionId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ body, accept }: { body: MissionProposalInput; accept: boolean }): Promise<Mission> => {
      const mission = await performTransition.propose_mission(sessionId, body);
      return accept ? performTransition.accept_mission(mission.id) : mission;
    },
    onSuccess: async (mission) => {
      queryClient.setQueryData(missionKeys.detail(mission.id), mission);
      await queryClient.invalidateQueries({ queryKey: sessionKeys.all });
    },
  });
}
