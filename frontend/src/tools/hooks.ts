import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { listTools } from "../api/client.gen";
import { performTransition } from "../api/transitions.gen";
import type { ToolStepConfiguration } from "../api/types.gen";
import { refreshMission } from "../workflow/refresh";
import { toolKeys } from "./keys";

/** The registered tools, read once: the catalog changes only with the server. */
export function useTools() {
  return useQuery({
    queryKey: toolKeys.catalog(),
    queryFn: ({ signal }) => listTools({ signal }).then((catalog) => catalog.tools),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** What the running step reported last (its live progress events), if anything. */
export function useStepProgress(stepId: string): string | null {
  const { data } = useQuery<string>({ queryKey: toolKeys.progress(stepId), queryFn: skipToken });
  return data ?? null;
}

/** Stores a step's resource values (configure_tool_step), then reads its mission again. */
export function useConfigureToolStep(missionId: string, stepId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ToolStepConfiguration) => performTransition.configure_tool_step(stepId, body),
    onSuccess: () => refreshMission(queryClient, missionId),
  });
}
