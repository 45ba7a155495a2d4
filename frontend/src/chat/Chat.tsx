import { type FormEvent, useEffect, useRef, useState } from "react";

import { MessageRole, type UserSession } from "../api/types.gen";
import { ErrorBanner } from "../ui/ErrorBanner";
import { formatTime } from "../ui/format";
import { problemOf } from "../ui/problem";
import { useAppendChatMessage } from "./hooks";

/** The session's chat: its messages in order and a box to append one. */
export function Chat({ session }: { session: UserSession }) {
  const messages = session.chat.messages;
  const [text, setText] = useState("");
  const append = useAppendChatMessage(session.id);
  const end = useRef<HTMLLIElement>(null);

  // Braces matter: newer browsers return a promise from scrollIntoView, which React would call.
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll again whenever a message is added
  useEffect(() => {
    void end.current?.scrollIntoView({ block: "nearest" });
  }, [messages.length]);

  const send = (event: FormEvent) => {
    event.preventDefault();
    const content = text.trim();
    if (!content) return;
    append.mutate({ role: MessageRole.USER, content }, { onSuccess: () => setText("") });
  };

  return (
    <section className="chat card" aria-label="Chat">
      <h2>{session.chat.title ?? "Chat"}</h2>
      <ol className="messages">
        {messages.length === 0 && <li className="muted empty">No messages yet.</li>}
        {messages.map((message) => (
          <li key={message.id} className={`message message-${message.role}`} data-sequence={message.sequence_order}>
            <div className="message-meta">
              <span className="message-role">{message.role}</span>
              <span className="muted">{formatTime(message.created_at)}</span>
            </div>
            <div className="message-content">{message.content}</div>
          </li>
        ))}
        <li ref={end} className="messages-end" aria-hidden="true" />
      </ol>
      <form className="chat-form" onSubmit={send}>
        <ErrorBanner problem={problemOf(append.error)} />
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
