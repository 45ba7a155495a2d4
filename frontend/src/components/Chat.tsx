import { useEffect, useRef, useState, type FormEvent } from "react";

import { appendChatMessage } from "../api/client.gen";
import { MessageRole, type ChatMessage, type UserSession } from "../api/types.gen";
import { formatTime } from "../lib/format";
import { ErrorBanner, useAction } from "./common";

/** The session's chat: its messages in order and a box to append one. */
export function Chat({ session }: { session: UserSession }) {
  const [messages, setMessages] = useState<ChatMessage[]>(session.chat.messages);
  const [text, setText] = useState("");
  const { busy, problem, run } = useAction();
  const end = useRef<HTMLLIElement>(null);

  // The session is read again on live events; keep what the server says, in its order.
  useEffect(() => {
    setMessages(session.chat.messages);
  }, [session.chat.messages]);
  // Braces matter: newer browsers return a promise from scrollIntoView, which React would call.
  useEffect(() => {
    void end.current?.scrollIntoView({ block: "nearest" });
  }, [messages.length]);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    const content = text.trim();
    if (!content) return;
    const message = await run(() => appendChatMessage(session.id, { role: MessageRole.USER, content }));
    if (message) {
      setText("");
      setMessages((current) => [...current.filter((m) => m.id !== message.id), message].sort((a, b) => a.sequence_order - b.sequence_order));
    }
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
        <ErrorBanner problem={problem} />
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
        <button type="submit" className="primary" disabled={busy || !text.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}
