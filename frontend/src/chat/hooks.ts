import { keepPreviousData, skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { appendChatMessage, cancelAssistantTurn, getAssistantState, listChatMessages } from "../api/client.gen";
import { performTransition } from "../api/transitions.gen";
import { type ChatMessage, type ChatMessageCreate, MessageRole, type UserSession } from "../api/types.gen";
import { sessionKeys } from "../sessions/keys";
import type { ButtonTransition } from "../workflow/actions";
import { refreshMission } from "../workflow/refresh";
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
        const known = session.chat.messages.some((m) => m.id === message.id);
        const messages = [...session.chat.messages.filter((m) => m.id !== message.id), message].sort(
          (a, b) => a.sequence_order - b.sequence_order,
        );
        const message_count = session.chat.message_count + (known ? 0 : 1);
        return { ...session, chat: { ...session.chat, messages, message_count } };
      });
      // The session's last activity moved: the list shows it.
      await queryClient.invalidateQueries({ queryKey: sessionKeys.lists() });
    },
  });
}

/** Most messages one request reads (the server's page limit). */
const PAGE = 200;

/** The `count` messages of a long chat just before the newest ones its session carries (none
 * until the person asks for them). Read again, in pages, when new messages move that boundary,
 * so that nothing falls between the two; the previous ones show meanwhile. */
export function useEarlierMessages(session: UserSession, count: number) {
  const end = session.chat.message_count - session.chat.messages.length;
  const start = Math.max(0, end - count);
  return useQuery({
    queryKey: chatKeys.earlier(session.id, start, end),
    queryFn: async ({ signal }): Promise<ChatMessage[]> => {
      const offsets: number[] = [];
      for (let offset = start; offset < end; offset += PAGE) offsets.push(offset);
      const pages = await Promise.all(
        offsets.map((offset) =>
          listChatMessages(session.id, { offset, limit: Math.min(PAGE, end - offset) }, { signal }),
        ),
      );
      return pages.flatMap((page) => page.items);
    },
    enabled: count > 0 && end > 0,
    placeholderData: keepPreviousData,
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

/** Sends a proposal back (its card's reject transition) and then, when the person gave one,
 * tells the assistant why, so that it proposes again. One mutation: the card that started it
 * is gone (decided) by the time the reason is sent. */
export function useSendBack(sessionId: string, missionId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ name, id, reason }: { name: ButtonTransition; id: string; reason: string }) => {
      await performTransition[name](id);
      if (reason) await appendChatMessage(sessionId, { role: MessageRole.USER, content: `I sent it back: ${reason}` });
    },
    onSuccess: async () => {
      await Promise.all([
        refreshMission(queryClient, missionId),
        queryClient.invalidateQueries({ queryKey: sessionKeys.detail(sessionId) }),
      ]);
    },
  });
}
