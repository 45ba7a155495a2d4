import { type QueryKey, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect, useState } from "react";

import { streamEventsUrl } from "../api/client.gen";
import { type ChatEvent, WorkflowEntity, type WorkflowEvent } from "../api/types.gen";
import { applyChatEvent } from "../chat/live";
import { toolKeys } from "../tools/keys";
import { affectedQueries, chatAffectedQueries } from "./affected";

/** The state of the live connection, shown in the header. */
export type ConnectionState = "connecting" | "live" | "reconnecting";

const ConnectionContext = createContext<ConnectionState>("connecting");

/** Events come in bursts (a transition announces every entity it changed): what they made out
 * of date is read once per burst, this long after its last event. */
const BURST_MS = 60;

/** Keeps one server-sent events stream open while signed in. Each event marks the queries it
 * affects out of date (those on screen are read again); after a reconnection, when events may
 * have been missed, every query is. A running step's progress and the assistant's streaming
 * reply (`event: chat`) go straight into the cache. */
export function EventsProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<ConnectionState>("connecting");

  useEffect(() => {
    const pending = new Map<string, QueryKey>();
    let flush: number | undefined;
    const invalidateSoon = (keys: QueryKey[]) => {
      for (const key of keys) pending.set(JSON.stringify(key), key);
      window.clearTimeout(flush);
      flush = window.setTimeout(() => {
        const due = [...pending.values()];
        pending.clear();
        for (const queryKey of due) void queryClient.invalidateQueries({ queryKey });
      }, BURST_MS);
    };
    const receive = (event: WorkflowEvent) => {
      if (event.entity === WorkflowEntity.TOOL_STEP && event.progress !== null) {
        queryClient.setQueryData(toolKeys.progress(event.id), event.progress);
      } else {
        invalidateSoon(affectedQueries(event));
      }
    };

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
          void queryClient.invalidateQueries();
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
        receive(event);
      });
      source.addEventListener("chat", (message: MessageEvent<string>) => {
        let event: ChatEvent;
        try {
          event = JSON.parse(message.data) as ChatEvent;
        } catch {
          return;
        }
        applyChatEvent(queryClient, event);
        invalidateSoon(chatAffectedQueries(event));
      });
    };
    connect();
    return () => {
      window.clearTimeout(retry);
      window.clearTimeout(showLost);
      window.clearTimeout(flush);
      source?.close();
    };
  }, [queryClient]);

  return <ConnectionContext.Provider value={state}>{children}</ConnectionContext.Provider>;
}

export function useConnectionState(): ConnectionState {
  return useContext(ConnectionContext);
}
