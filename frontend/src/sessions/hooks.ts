import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import {
  archiveSession,
  createSession,
  getActiveSession,
  getSession,
  listSessions,
  updateSession,
} from "../api/client.gen";
import type { UserSession, UserSessionCreate, UserSessionUpdate } from "../api/types.gen";
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

/** One session with its chat and mission (whose assets are read at once, beside it). */
export function useSession(sessionId: string) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: sessionKeys.detail(sessionId),
    queryFn: async ({ signal }) => {
      const session = await getSession(sessionId, { signal });
      if (session.mission_id !== null) prefetchMissionAssets(queryClient, session.mission_id);
      return session;
    },
  });
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
