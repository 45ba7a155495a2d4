/** The SPA's routes; the server answers every one with index.html. */
export const routes = {
  home: "/",
  session: "/sessions/:sessionId",
  signIn: "/sign-in",
  signUp: "/sign-up",
  connections: "/connections",
  toolLab: "/tool-lab",
} as const;

/** The address of a session's page. */
export function sessionPath(sessionId: string): string {
  return `/sessions/${encodeURIComponent(sessionId)}`;
}

/** The session id of a session page's address, or `null` for any other address. */
export function sessionIdOf(pathname: string): string | null {
  const raw = /^\/sessions\/([^/]+)\/?$/.exec(pathname)?.[1];
  if (raw === undefined) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
