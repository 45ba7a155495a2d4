import { formatTime } from "../ui/format";

/** Says that the form shows a draft kept from an earlier visit, with a way to drop it. */
export function DraftNote({ restoredAt, onDiscard }: { restoredAt: string | null; onDiscard: () => void }) {
  if (restoredAt === null) return null;
  return (
    <p className="draft-note" role="status">
      Draft restored (saved {formatTime(restoredAt)}): your unsent changes are back.{" "}
      <button type="button" className="link small" onClick={onDiscard}>
        Discard draft
      </button>
    </p>
  );
}
