import { useEffect, useRef, useState } from "react";

import { PathInput } from "./PathInput";
import { asObject, removed, replaced } from "./rows";

interface Row {
  name: string;
  value: string;
}

function rowsOf(value: unknown): Row[] {
  return Object.entries(asObject(value)).map(([name, v]) => ({ name, value: typeof v === "string" ? v : "" }));
}

/** The object the rows stand for: rows with no name are left out until they have one. */
function objectOf(rows: readonly Row[]): Record<string, string> {
  const object: Record<string, string> = {};
  for (const row of rows) if (row.name.trim() !== "") object[row.name.trim()] = row.value;
  return object;
}

/** A map of output field names to a path in the item (or, for fields described in words, to
 * the description): a row per field. */
export function FieldMapEditor({
  value,
  onChange,
  fieldsListId,
  valuesArePaths,
  valueLabel,
}: {
  value: unknown;
  onChange: (value: unknown) => void;
  fieldsListId: string | undefined;
  valuesArePaths: boolean;
  valueLabel: string;
}) {
  const [rows, setRows] = useState<Row[]>(() => rowsOf(value));
  const sent = useRef<string>(JSON.stringify(objectOf(rows)));
  // A value changed from outside (the JSON view, a restored draft) replaces the rows.
  useEffect(() => {
    const incoming = JSON.stringify(asObject(value));
    if (incoming !== sent.current) {
      sent.current = incoming;
      setRows(rowsOf(value));
    }
  }, [value]);

  const update = (next: Row[]) => {
    setRows(next);
    const object = objectOf(next);
    sent.current = JSON.stringify(object);
    onChange(Object.keys(object).length === 0 ? undefined : object);
  };

  return (
    <div className="structured field-map">
      {rows.length === 0 && <p className="muted small-text">No field yet.</p>}
      {rows.map((row, index) => {
        const n = index + 1;
        const setValue = (text: string) => update(replaced(rows, index, { ...row, value: text }));
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <div className="editor-row" key={index} data-field-row={index}>
            <input
              aria-label={`Field ${n} name`}
              value={row.name}
              placeholder="output field"
              onChange={(e) => update(replaced(rows, index, { ...row, name: e.target.value }))}
            />
            <span aria-hidden="true">←</span>
            {valuesArePaths ? (
              <PathInput
                label={`Field ${n} ${valueLabel}`}
                value={row.value}
                onChange={setValue}
                fieldsListId={fieldsListId}
                placeholder="path, e.g. author.name"
              />
            ) : (
              <input
                aria-label={`Field ${n} ${valueLabel}`}
                value={row.value}
                placeholder="what to extract, in words"
                onChange={(e) => setValue(e.target.value)}
              />
            )}
            <button type="button" className="small danger" onClick={() => update(removed(rows, index))}>
              Remove
            </button>
          </div>
        );
      })}
      <button type="button" className="small" onClick={() => update([...rows, { name: "", value: "" }])}>
        Add field
      </button>
    </div>
  );
}
