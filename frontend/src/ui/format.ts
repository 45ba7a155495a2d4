// One formatter each, made once: building an Intl formatter costs far more than using one,
// and a chat formats a time per message.
const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** Short local date and time, for lists and step timings. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  const today = new Date();
  const sameDay = date.toDateString() === today.toDateString();
  return sameDay ? TIME.format(date) : DATE_TIME.format(date);
}

/** Milliseconds between two timestamps as a short duration. */
export function formatDuration(fromIso: string | null, toIso: string | null): string | null {
  if (!fromIso || !toIso) return null;
  const ms = new Date(toIso).getTime() - new Date(fromIso).getTime();
  return ms < 1000 ? `${Math.max(ms, 0)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** JSON for reading: indented, with `null` for a missing value. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value, null, 2);
}

/** Lines of a textarea as a list, blank lines dropped. */
export function lines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
