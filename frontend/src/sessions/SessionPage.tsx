import { useEffect, useId, useRef, useState } from "react";

import { Chat } from "../chat/Chat";
import { MissionPanel } from "../missions/MissionPanel";
import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { NARROW, useMediaQuery } from "../ui/useMediaQuery";
import { useSession } from "./hooks";
import { SessionHeader } from "./SessionHeader";

type Tab = "mission" | "chat";
const TABS: readonly [Tab, string][] = [
  ["mission", "Mission"],
  ["chat", "Chat"],
];

/** One session: its header (rename, archive), the chat beside the mission panel; on a phone
 * one of them at a time, chosen with tabs (the chat's tab counts what came in unseen). */
export function SessionPage({ sessionId }: { sessionId: string }) {
  const { data: session, error } = useSession(sessionId);
  const narrow = useMediaQuery(NARROW);
  const [tab, setTab] = useState<Tab>("mission");
  const idBase = useId();

  const title = session ? (session.name ?? "Untitled session") : null;
  useEffect(() => {
    if (title) document.title = `${title} · Missions`;
    return () => {
      document.title = "Missions";
    };
  }, [title]);

  // Messages that came in while the chat was not shown.
  const count = session?.chat.message_count ?? 0;
  const seen = useRef(count);
  const chatShown = !narrow || tab === "chat";
  if (chatShown) seen.current = count;
  const unseen = Math.max(0, count - seen.current);

  if (error && !session) return <ErrorBanner problem={problemOf(error)} />;
  if (!session) return <p className="muted">Loading session…</p>;

  const choose = (next: Tab) => {
    setTab(next);
    document.getElementById(`${idBase}-tab-${next}`)?.focus();
  };
  // One tree at both widths (on a phone the tab not chosen is hidden, not removed), so turning
  // the phone or switching tabs keeps what the person typed and where they were.
  const panel = narrow
    ? {
        className: "session-tab-panel",
        role: "tabpanel",
        id: `${idBase}-panel`,
        "aria-labelledby": `${idBase}-tab-${tab}`,
        "data-tab": tab,
      }
    : { className: "session-columns" };
  return (
    <div className={narrow ? "session-page narrow" : "session-page"}>
      <SessionHeader session={session} />
      {narrow && (
        <div className="session-tabs" role="tablist" aria-label="Session">
          {TABS.map(([value, label], index) => (
            <button
              key={value}
              type="button"
              role="tab"
              id={`${idBase}-tab-${value}`}
              aria-selected={tab === value}
              aria-controls={`${idBase}-panel`}
              tabIndex={tab === value ? 0 : -1}
              data-tab={value}
              onClick={() => setTab(value)}
              onKeyDown={(event) => {
                if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
                  event.preventDefault();
                  const step = event.key === "ArrowRight" ? 1 : TABS.length - 1;
                  choose(TABS[(index + step) % TABS.length]?.[0] ?? "mission");
                }
              }}
            >
              {label}
              {value === "chat" && unseen > 0 && (
                <span className="tab-count" data-unseen={unseen}>
                  {unseen}
                  <span className="visually-hidden"> new</span>
                </span>
              )}
            </button>
          ))}
        </div>
      )}
      <div {...panel}>
        <Chat session={session} />
        <MissionPanel session={session} />
      </div>
    </div>
  );
}
