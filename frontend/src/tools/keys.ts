/** Query keys of the tool catalog and of tool steps. */
export const toolKeys = {
  all: ["tools"] as const,
  catalog: () => [...toolKeys.all, "catalog"] as const,
  /** What a running step reported last: set from the live events, never fetched. */
  progress: (stepId: string) => [...toolKeys.all, "step-progress", stepId] as const,
};
