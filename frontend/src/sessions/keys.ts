/** Query keys of sessions (each session's chat comes with it). */
export const sessionKeys = {
  all: ["sessions"] as const,
  lists: () => [...sessionKeys.all, "list"] as const,
  list: (query: { limit: number }) => [...sessionKeys.lists(), query] as const,
  /** The most recently active session that is still active, or `null`. */
  active: () => [...sessionKeys.all, "active"] as const,
  details: () => [...sessionKeys.all, "detail"] as const,
  detail: (sessionId: string) => [...sessionKeys.details(), sessionId] as const,
};
