/** Columns, ordering and cell text of a table of records (the RecordTable's logic). */

/** The columns of a list of records: every key, in the order they first appear. */
export function columnsOf(records: readonly Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) seen.add(key);
  return [...seen];
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function rank(value: unknown): number {
  if (typeof value === "number") return 0;
  if (typeof value === "string") return 1;
  if (typeof value === "boolean") return 2;
  return 3;
}

/** Compares two cell values: numbers as numbers, texts as people read them (`a2` before
 * `a10`), values of different types by type; a missing or null value is never compared. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return collator.compare(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return collator.compare(JSON.stringify(a), JSON.stringify(b));
}

export interface SortOrder {
  column: string;
  descending: boolean;
}

/** The row order (indexes into `records`) for `order`: stable, missing and null values last
 * whichever the direction. */
export function sortedIndexes(records: readonly Record<string, unknown>[], order: SortOrder | null): number[] {
  const indexes = records.map((_, i) => i);
  if (order === null) return indexes;
  const { column, descending } = order;
  const sign = descending ? -1 : 1;
  return indexes.sort((i, j) => {
    const a = records[i]?.[column];
    const b = records[j]?.[column];
    const aMissing = a === undefined || a === null;
    const bMissing = b === undefined || b === null;
    if (aMissing || bMissing) return aMissing === bMissing ? i - j : aMissing ? 1 : -1;
    return sign * compareValues(a, b) || i - j;
  });
}

const CELL_LENGTH = 160;

/** A cell's text: values as they are, lists and objects as short JSON. */
export function cellText(value: unknown): { text: string; full: string | null; empty: boolean } {
  if (value === undefined || value === null) return { text: "—", full: null, empty: true };
  const full = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  return full.length > CELL_LENGTH
    ? { text: `${full.slice(0, CELL_LENGTH - 1)}…`, full, empty: false }
    : { text: full, full: null, empty: false };
}
