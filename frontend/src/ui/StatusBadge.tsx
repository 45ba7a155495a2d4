import { type StatusEntity, statusLabel } from "./labels";

/** A status value as a coloured badge in words (`ui/labels.ts`); the colour follows the
 * value's meaning, `data-status` keeps the value itself. */
export function StatusBadge({ status, entity }: { status: string; entity?: StatusEntity }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {statusLabel(status, entity)}
    </span>
  );
}
