import { useMutation, useQuery } from "@tanstack/react-query";

import { listMissions, runTool, saveToolResult } from "../api/client.gen";
import type { ToolResultSave, ToolRun } from "../api/types.gen";

/** Runs a tool in the lab; nothing is stored. */
export function useRunTool(toolId: string) {
  return useMutation({ mutationFn: (body: ToolRun) => runTool(toolId, body) });
}

/** Keeps one output of a lab run as an input asset of a mission. */
export function useSaveToolResult() {
  return useMutation({ mutationFn: (body: ToolResultSave) => saveToolResult(body) });
}

/** The user's missions, newest first, to save a result into. */
export function useMissionChoices() {
  return useQuery({
    queryKey: ["toollab", "missions"],
    queryFn: ({ signal }) => listMissions({ limit: 100 }, { signal }).then((page) => page.items),
  });
}
