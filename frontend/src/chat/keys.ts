/** Query keys of the chat's assistant (the chat's messages come with their session). */
export const chatKeys = {
  all: ["chat"] as const,
  /** Whether an assistant is configured, and the turn running in the session. */
  assistant: (sessionId: string) => [...chatKeys.all, "assistant", sessionId] as const,
  /** Messages `start` to `end` (positions in the chat), before the ones the session carries. */
  earlier: (sessionId: string, start: number, end: number) =>
    [...chatKeys.all, "earlier", sessionId, start, end] as const,
  /** The reply streaming in the session now (written by the live events, never fetched). */
  live: (sessionId: string) => [...chatKeys.all, "live", sessionId] as const,
};
