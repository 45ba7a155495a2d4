import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";

import { streamEventsUrl } from "../api/client.gen";
import type { WorkflowEvent } from "../api/types.gen";

/** The state of the live connection, shown in the header. */
export type ConnectionState = "connecting" | "live" | "reconnecting";

/** Called with each event, or with `null` after a reconnection (events may have been missed,
 * so everything shown should be read again). */
export type EventHandler = (event: WorkflowEvent | null) => void;

interface EventsContextValue {
  state: ConnectionState;
  subscribe: (handler: EventHandler) => () => void;
}

const EventsContext = createContext<EventsContextValue>({
  state: "connecting",
  subscribe: () => () => undefined,
});

/** Keeps one server-sent events stream open while signed in and fans its events out. */
export function EventsProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<ConnectionState>("connecting");
  const handlers = useRef(new Set<EventHandler>());
  const subscribe = useRef((handler: EventHandler) => {
    handlers.current.add(handler);
    return () => {
      handlers.current.delete(handler);
    };
  }).current;

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: number | undefined;
    let lostConnection = false;
    let showLost: number | undefined;
    const connect = () => {
      source = new EventSource(streamEventsUrl(), { withCredentials: true });
      source.onopen = () => {
        window.clearTimeout(showLost);
        showLost = undefined;
        setState("live");
        if (lostConnection) {
          lostConnection = false;
          for (const handler of handlers.current) handler(null);
        }
      };
      source.onerror = () => {
        lostConnection = true;
        // The server ends each stream after a while and the browser reconnects within its
        // retry time (3 s): only a connection still down after that is worth showing.
        showLost ??= window.setTimeout(() => setState("reconnecting"), 4000);
        // The browser retries a dropped stream by itself; a refused one is closed for good.
        if (source?.readyState === EventSource.CLOSED) {
          source.close();
          retry = window.setTimeout(connect, 3000);
        }
      };
      source.addEventListener("workflow", (message: MessageEvent<string>) => {
        let event: WorkflowEvent;
        try {
          event = JSON.parse(message.data) as WorkflowEvent;
        } catch {
          return;
        }
        for (const handler of handlers.current) handler(event);
      });
    };
    connect();
    return () => {
      window.clearTimeout(retry);
      window.clearTimeout(showLost);
      source?.close();
    };
  }, []);

  return <EventsContext.Provider value={{ state, subscribe }}>{children}</EventsContext.Provider>;
}

export function useConnectionState(): ConnectionState {
  return useContext(EventsContext).state;
}

/** Calls the latest `handler` for every live event while the component is mounted. */
export function useWorkflowEvents(handler: EventHandler): void {
  const { subscribe } = useContext(EventsContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => subscribe((event) => latest.current(event)), [subscribe]);
}

/** Step id -> what the running step reported last (`progress` of its events). */
export const StepProgressContext = createContext<ReadonlyMap<string, string>>(new Map());

export function useStepProgress(stepId: string): string | null {
  return useContext(StepProgressContext).get(stepId) ?? null;
}
