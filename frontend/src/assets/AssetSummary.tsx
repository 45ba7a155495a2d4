import type { AssetIdsByRole, AssetInfo } from "../api/types.gen";
import { StatusBadge } from "../ui/StatusBadge";
import { typeLabel } from "./draft";

const GROUPS = [
  ["inputs", "Inputs"],
  ["outputs", "Outputs"],
  ["intermediate", "Intermediates"],
] as const;

/** A mission's or hop's assets by role; choosing one opens its detail. */
export function AssetSummary({
  summary,
  assets,
  selectedId,
  onSelect,
}: {
  summary: AssetIdsByRole;
  assets: Map<string, AssetInfo>;
  selectedId: string | null;
  onSelect: (assetId: string) => void;
}) {
  return (
    <div className="asset-summary">
      {GROUPS.map(([key, title]) => (
        <div key={key} className="asset-group" data-group={key}>
          <h4>{title}</h4>
          {summary[key].length === 0 ? (
            <p className="muted small-text">None</p>
          ) : (
            <ul>
              {summary[key].map((id) => {
                const asset = assets.get(id);
                return (
                  <li key={id}>
                    <button
                      type="button"
                      className={`asset-item${id === selectedId ? " selected" : ""}`}
                      onClick={() => onSelect(id)}
                      data-asset-id={id}
                    >
                      <span className="asset-name">{asset?.name ?? id.slice(0, 8)}</span>
                      {asset && <span className="type-tag">{typeLabel(asset)}</span>}
                      {asset && <StatusBadge status={asset.status} />}
                      {asset?.content_summary && <span className="asset-value muted">{asset.content_summary}</span>}
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      ))}
    </div>
  );
}
