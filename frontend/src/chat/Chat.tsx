import { type FormEvent, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";

import { MessageRole, type UserSession } from "../api/types.gen";
import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { ChatMessageItem, LiveReply } from "./ChatMessageItem";
import {
  cancelWhileLeaving,
  useAppendChatMessage,
  useAssistantState,
  useCancelTurn,
  useEarlierMessages,
  useLiveTurn,
} from "./hooks";
import { assistantNoteOf, supersededCards } from "./notes";

/** How many earlier messages one "Show earlier messages" adds. */
const EARLIER_STEP = 100;

/** The session's chat: its messages in order (status lines and proposal cards among them),
 * the assistant's reply as it streams in, and a box to write to it. A long chat shows its
 * newest messages; the earlier ones come on request. */
export function Chat({ session }: { session: UserSession }) {
  const [earlierWanted, setEarlierWanted] = useState(0);
  const earlier = useEarlierMessages(session, earlierWanted);
  const recent = session.chat.messages;
  const messages = useMemo(() => {
    const shown = new Set(recent.map((m) => m.id));
    return [...(earlier.data ?? []).filter((m) => !shown.has(m.id)), ...recent];
  }, [earlier.data, recent]);
  const hidden = Math.max(0, session.chat.message_count - messages.length);
  const [text, setText] = useState("");
  const append = useAppendChatMessage(session.id);
  const assistant = useAssistantState(session.id).data;
  const live = useLiveTurn(session.id);
  const cancel = useCancelTurn(session.id);
  const list = useRef<HTMLOListElement>(null);
  const following = useRef(true);
  const superseded = useMemo(() => supersededCards(messages), [messages]);

  // The streamed reply shows until the stored message of its turn is read.
  const stored = live !== null && messages.some((m) => assistantNoteOf(m)?.turn_id === live.turnId);
  const streaming = live !== null && !stored ? live : null;
  const running = (assistant?.turn ?? null) !== null || (streaming !== null && !streaming.ended);

  // Follows the newest message within the list only: the page itself never scrolls, so the
  // person keeps their place elsewhere on it. Reading back up stops the following.
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll again whenever a message is added or text streams in
  useEffect(() => {
    const box = list.current;
    if (box && following.current) box.scrollTop = box.scrollHeight;
  }, [messages.length, streaming?.text.length]);

  // Earlier messages go in above the ones read: the list keeps its place on them.
  const heightBefore = useRef<number | null>(null);
  const earlierShown = earlier.data?.length ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when earlier messages were added
  useLayoutEffect(() => {
    const box = list.current;
    if (box && heightBefore.current !== null) box.scrollTop += box.scrollHeight - heightBefore.current;
    heightBefore.current = null;
  }, [earlierShown]);
  const showEarlier = () => {
    heightBefore.current = list.current?.scrollHeight ?? null;
    setEarlierWanted((wanted) => wanted + EARLIER_STEP);
  };

  // A turn does not outlive the page: closing or leaving it stops the turn (the server also
  // stops any turn after ASSISTANT_TURN_SECONDS).
  const runningNow = useRef(running);
  useEffect(() => {
    runningNow.current = running;
  }, [running]);
  useEffect(() => {
    const leave = () => {
      if (runningNow.current) cancelWhileLeaving(session.id);
    };
    window.addEventListener("pagehide", leave);
    return () => window.removeEventListener("pagehide", leave);
  }, [session.id]);

  const send = (event: FormEvent) => {
    event.preventDefault();
    const content = text.trim();
    if (!content) return;
    // Cleared at once, so what is typed next is never wiped by this message's answer; a
    // message the server refuses comes back to the box (unless something new was typed).
    setText("");
    append.mutate({ role: MessageRole.USER, content }, { onError: () => setText((now) => now || content) });
  };

  return (
    <section className="chat card" aria-label="Chat">
      <div className="chat-head">
        <h2>{session.chat.title ?? "Chat"}</h2>
        {assistant?.configured && (
          <span className="assistant-chip" data-running={running}>
            {running ? "Assistant is answering…" : `Assistant · ${assistant.model ?? ""}`}
          </span>
        )}
      </div>
      {assistant && !assistant.configured && (
        <p className="assistant-notice muted" role="note">
          No assistant is configured: work through the forms. (An administrator can connect an OpenAI-compatible model
          with LLM_BASE_URL.)
        </p>
      )}
      <ol
        className="messages"
        ref={list}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region is reached with the keyboard to scroll it
        tabIndex={0}
        aria-label="Messages"
        onScroll={(e) => {
          const box = e.currentTarget;
          following.current = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
        }}
      >
        {(hidden > 0 || earlier.error) && (
          <li className="earlier">
            <ErrorBanner problem={problemOf(earlier.error)} />
            {hidden > 0 && (
              <button type="button" onClick={showEarlier} disabled={earlier.isFetching}>
                {earlier.isFetching ? "Loading earlier messages…" : `Show earlier messages (${hidden} more)`}
              </button>
            )}
          </li>
        )}
        {messages.length === 0 && streaming === null && <li className="muted empty">No messages yet.</li>}
        {messages.map((message) => (
          <ChatMessageItem
            key={message.id}
            message={message}
            sessionId={session.id}
            superseded={superseded.has(message.id)}
            mission={session.mission}
          />
        ))}
        {streaming !== null && (
          <LiveReply live={streaming} onCancel={() => cancel.mutate()} cancelling={cancel.isPending} />
        )}
        {streaming === null && running && <li className="muted thinking">The assistant is answering…</li>}
      </ol>
      <form className="chat-form" onSubmit={send}>
        <ErrorBanner problem={problemOf(append.error ?? cancel.error)} />
        <textarea
          name="message"
          rows={2}
          placeholder="Write a message… (Enter to send, Shift+Enter for a new line)"
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <button type="submit" className="primary" disabled={append.isPending || !text.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}
