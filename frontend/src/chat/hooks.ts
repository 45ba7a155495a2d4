import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { appendChatMessage, cancelAssistantTurn, getAssistantState } from "../api/client.gen";
import type { ChatMessageCreate, UserSession } from "../api/types.gen";
import { sessionKeys } from "../sessions/keys";
import { chatKeys } from "./keys";
import type { LiveTurn } from "./live";

/** Appends a message to the session's chat. The chat is read with its session: the message
 * goes into the cached session, in order (the live event that announces it makes the other
 * pages read the session again). */
export function useAppendChatMessage(sessionId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ChatMessageCreate) => appendChatMessage(sessionId, body),
    onSuccess: async (message) => {
      queryClient.setQueryData<UserSession>(sessionKeys.detail(sessionId), (session) => {
        if (!session) return session;
        const messages = [...session.chat.messages.filter((m) => m.id !== message.id), message].sort(
          (a, b) => a.sequence_order - b.sequence_order,
        );
        return { ...session, chat: { ...session.chat, messages } };
      });
      // The session's last activity moved: the list shows it.
      await queryClient.invalidateQueries({ queryKey: sessionKeys.lists() });
    },
  });
}

/** Whether an assistant is configured, and the turn running in the session (read again when
 * a turn starts or ends). */
export function useAssistantState(sessionId: string) {
  return useQuery({
    queryKey: chatKeys.assistant(sessionId),
    queryFn: ({ signal }) => getAssistantState(sessionId, { signal }),
  });
}

/** The reply streaming in the session now, if any (kept by the live events). */
export function useLiveTurn(sessionId: string): LiveTurn | null {
  const { data } = useQuery<LiveTurn>({ queryKey: chatKeys.live(sessionId), queryFn: skipToken });
  return data ?? null;
}

/** Stops the session's running turn (what it wrote so far is kept). */
export function useCancelTurn(sessionId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => cancelAssistantTurn(sessionId),
    onSuccess: (state) => queryClient.setQueryData(chatKeys.assistant(sessionId), state),
  });
}

/** Stops the session's running turn while the page goes away (the request outlives it). */
export function cancelWhileLeaving(sessionId: string): void {
  void cancelAssistantTurn(sessionId, { keepalive: true }).catch(() => undefined);
}
