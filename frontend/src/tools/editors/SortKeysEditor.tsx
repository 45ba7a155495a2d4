import { PathInput } from "./PathInput";
import { asList, asObject, moved, removed, replaced, withKey } from "./rows";

/** Sort keys, the most significant first: a field and a direction each, in an order that
 * can be changed. */
export function SortKeysEditor({
  value,
  onChange,
  fieldsListId,
}: {
  value: unknown;
  onChange: (value: unknown) => void;
  fieldsListId: string | undefined;
}) {
  const keys = asList(value).map(asObject);
  return (
    <div className="structured sort-keys">
      {keys.length === 0 && <p className="muted small-text">No sort key yet.</p>}
      {keys.map((key, index) => {
        const n = index + 1;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <div className="editor-row" key={index} data-sort-key={index}>
            <span className="muted small-text">{index === 0 ? "Sort by" : "then by"}</span>
            <PathInput
              label={`Sort key ${n} field`}
              value={String(key.path ?? "")}
              onChange={(path) => onChange(replaced(keys, index, withKey(key, "path", path)))}
              fieldsListId={fieldsListId}
            />
            <select
              aria-label={`Sort key ${n} direction`}
              value={key.descending === true ? "descending" : "ascending"}
              onChange={(e) =>
                onChange(replaced(keys, index, withKey(key, "descending", e.target.value === "descending")))
              }
            >
              <option value="ascending">ascending</option>
              <option value="descending">descending</option>
            </select>
            <button
              type="button"
              className="small"
              aria-label={`Move sort key ${n} up`}
              disabled={index === 0}
              onClick={() => onChange(moved(keys, index, -1))}
            >
              ↑
            </button>
            <button
              type="button"
              className="small"
              aria-label={`Move sort key ${n} down`}
              disabled={index === keys.length - 1}
              onClick={() => onChange(moved(keys, index, 1))}
            >
              ↓
            </button>
            <button type="button" className="small danger" onClick={() => onChange(removed(keys, index))}>
              Remove
            </button>
          </div>
        );
      })}
      <button type="button" className="small" onClick={() => onChange([...keys, { path: "", descending: false }])}>
        Add sort key
      </button>
    </div>
  );
}
