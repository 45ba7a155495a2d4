import { statusLabel } from "./format";

/** A status value as a coloured badge; the colour follows the value's meaning. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
