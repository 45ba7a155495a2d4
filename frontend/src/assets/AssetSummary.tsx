import { useId, useState } from "react";

import type { AssetIdsByRole, AssetInfo } from "../api/types.gen";
import { StatusBadge } from "../ui/StatusBadge";
import { typeLabel } from "./draft";

const GROUPS = [
  ["inputs", "Inputs"],
  ["outputs", "Outputs"],
  ["intermediate", "Intermediates"],
] as const;

/** The assets of one group, sorted by name (those not read yet last), those matching `query`
 * (in the name, type or summary) only. */
function shown(ids: readonly string[], assets: Map<string, AssetInfo>, query: string): string[] {
  const words = query.trim().toLowerCase();
  const text = (asset: AssetInfo) =>
    `${asset.name} ${typeLabel(asset)} ${asset.description ?? ""} ${asset.content_summary ?? ""}`.toLowerCase();
  return ids
    .filter((id) => {
      if (!words) return true;
      const asset = assets.get(id);
      return asset !== undefined && text(asset).includes(words);
    })
    .sort((a, b) => {
      const first = assets.get(a)?.name;
      const second = assets.get(b)?.name;
      if (first === undefined || second === undefined) return first === undefined ? 1 : -1;
      return first.localeCompare(second, undefined, { numeric: true, sensitivity: "base" });
    });
}

/** A mission's or hop's assets grouped by role (inputs, outputs, intermediates) and sorted by
 * name; with `searchable`, a search box narrows every group. Choosing one opens its detail. */
export function AssetSummary({
  summary,
  assets,
  selectedId,
  onSelect,
  searchable = false,
}: {
  summary: AssetIdsByRole;
  assets: Map<string, AssetInfo>;
  selectedId: string | null;
  onSelect: (assetId: string) => void;
  searchable?: boolean;
}) {
  const [query, setQuery] = useState("");
  const searchId = useId();
  const total = GROUPS.reduce((sum, [key]) => sum + summary[key].length, 0);
  return (
    <div className="asset-summary">
      {searchable && total > 0 && (
        <div className="asset-search">
          <label htmlFor={searchId} className="field-label">
            Find an asset
          </label>
          <input
            id={searchId}
            type="search"
            name="asset-search"
            value={query}
            placeholder="Name, type or content"
            onChange={(e) => setQuery(e.target.value)}
          />
        </div>
      )}
      {GROUPS.map(([key, title]) => {
        const ids = shown(summary[key], assets, query);
        return (
          <div key={key} className="asset-group" data-group={key}>
            <h4>
              {title} <span className="asset-count">({summary[key].length})</span>
            </h4>
            {ids.length === 0 ? (
              <p className="muted small-text">{summary[key].length === 0 ? "None" : "None match"}</p>
            ) : (
              <ul>
                {ids.map((id) => {
                  const asset = assets.get(id);
                  return (
                    <li key={id}>
                      <button
                        type="button"
                        className={`asset-item${id === selectedId ? " selected" : ""}`}
                        onClick={() => onSelect(id)}
                        aria-pressed={id === selectedId}
                        data-asset-id={id}
                      >
                        <span className="asset-name">{asset?.name ?? "Loading…"}</span>
                        {asset && <span className="type-tag">{typeLabel(asset)}</span>}
                        {asset && <StatusBadge status={asset.status} entity="asset" />}
                        {asset?.content_summary && <span className="asset-value muted">{asset.content_summary}</span>}
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </div>
        );
      })}
    </div>
  );
}
