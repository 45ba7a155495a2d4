import type { Hop, Mission } from "../api/types.gen";
import { StatusBadge } from "../ui/StatusBadge";

/** The mission's hops in order; choosing one shows it below. */
export function HopList({
  mission,
  selectedId,
  onSelect,
}: {
  mission: Mission;
  selectedId: string | null;
  onSelect: (hop: Hop) => void;
}) {
  return (
    <ol className="hop-list">
      {mission.hops.map((h) => (
        <li key={h.id}>
          <button
            type="button"
            className={`hop-item${h.id === selectedId ? " selected" : ""}${h.id === mission.current_hop_id ? " current" : ""}`}
            onClick={() => onSelect(h)}
            data-hop-id={h.id}
          >
            <span className="hop-number">{h.sequence_order + 1}</span>
            <span className="hop-name">{h.name}</span>
            {h.id === mission.current_hop_id && <span className="current-tag">current</span>}
            {h.is_final && <span className="type-tag">final</span>}
            <StatusBadge status={h.status} entity="hop" />
          </button>
        </li>
      ))}
    </ol>
  );
}
