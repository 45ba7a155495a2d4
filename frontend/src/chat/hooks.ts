import { useMutation, useQueryClient } from "@tanstack/react-query";

import { appendChatMessage } from "../api/client.gen";
import type { ChatMessageCreate, UserSession } from "../api/types.gen";
import { sessionKeys } from "../sessions/keys";

/** Appends a message to the session's chat. The chat is read with its session: the message
 * goes into the cached session, in order (no live event announces a message). */
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
