import { useConnectionState } from "./EventsProvider";

const LABELS = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" } as const;

/** Whether live updates are arriving. */
export function ConnectionIndicator() {
  const state = useConnectionState();
  return (
    <span className={`connection connection-${state}`} data-connection={state} title="Live updates from the server">
      <span className="dot" aria-hidden="true" />
      {LABELS[state]}
    </span>
  );
}
