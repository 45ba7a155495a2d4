import { type QueryClient, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import {
  archiveSession,
  createSession,
  getActiveSession,
  getSession,
  listSessions,
  updateSession,
} from "../api/client.gen";
import type { UserSession, UserSessionCreate, UserSessionUpdate } from "../api/types.gen";
import { sessionIdOf } from "../app/routes";
import { prefetchMissionAssets } from "../assets/hooks";
import { isNotFound } from "../ui/problem";
import { sessionKeys } from "./keys";

const LIST = { limit: 100 };

/** The user's sessions, most recently active first. */
export function useSessions() {
  return useQuery({
    queryKey: sessionKeys.list(LIST),
    queryFn: ({ signal }) => listSessions(LIST, { signal }).then((page) => page.items),
  });
}

/** A session read this recently is not read again when its page mounts (the read that the
 * app started beside the signed-in user, while it was starting); the live events still mark
 * it out of date whenever it changes. */
const FRESH_MS = 2000;

/** Reading one session with its chat and mission (whose assets are read at once, beside it). */
function sessionQuery(queryClient: QueryClient, sessionId: string) {
  return queryOptions({
    queryKey: sessionKeys.detail(sessionId),
    staleTime: FRESH_MS,
    queryFn: async ({ signal }) => {
      const session = await getSession(sessionId, { signal });
      if (session.mission_id !== null) prefetchMissionAssets(queryClient, session.mission_id);
      return session;
    },
  });
}

/** One session with its chat and mission. */
export function useSession(sessionId: string) {
  return useQuery(sessionQuery(useQueryClient(), sessionId));
}

/** Starts reading the session that the address opens while the app is still starting (beside
 * the signed-in user, not after it). Signed out, the request is refused and the session is
 * read again once signed in. */
export function prefetchSessionOf(queryClient: QueryClient, pathname: string): void {
  const sessionId = sessionIdOf(pathname);
  if (sessionId !== null) void queryClient.prefetchQuery(sessionQuery(queryClient, sessionId));
}

/** The session the home page opens: the most recently active one still active, or `null`. */
export function useActiveSession() {
  return useQuery({
    queryKey: sessionKeys.active(),
    queryFn: async ({ signal }): Promise<UserSession | null> => {
      try {
        return await getActiveSession({ signal });
      } catch (caught) {
        if (isNotFound(caught)) return null;
        throw caught;
      }
    },
  });
}

/** Starts a session; the list shows it once read again. */
export function useCreateSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UserSessionCreate) => createSession(body),
    onSuccess: async (created) => {
      queryClient.setQueryData(sessionKeys.detail(created.id), created);
      await queryClient.invalidateQueries({ queryKey: sessionKeys.lists() });
    },
  });
}

/** What a change of a session (rename, archive) does with its answer: keeps it as the
 * session and reads the lists again (no live event announces a rename). */
function useSessionChanged() {
  const queryClient = useQueryClient();
  return async (updated: UserSession) => {
    queryClient.setQueryData(sessionKeys.detail(updated.id), updated);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: sessionKeys.lists() }),
      queryClient.invalidateQueries({ queryKey: sessionKeys.active() }),
    ]);
  };
}

export function useUpdateSession(sessionId: string) {
  const onSuccess = useSessionChanged();
  return useMutation({ mutationFn: (body: UserSessionUpdate) => updateSession(sessionId, body), onSuccess });
}

export function useArchiveSession(sessionId: string) {
  const onSuccess = useSessionChanged();
  return useMutation({ mutationFn: () => archiveSession(sessionId), onSuccess });
}
