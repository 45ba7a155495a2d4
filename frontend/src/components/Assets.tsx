import { useEffect, useRef, useState } from "react";

import { getAsset } from "../api/client.gen";
import type { Asset, AssetIdsByRole, AssetInfo } from "../api/types.gen";
import { isAbort, toProblem, type Problem } from "../lib/errors";
import { formatTime, prettyJson } from "../lib/format";
import { ErrorBanner, StatusBadge } from "./common";

/** `object[]`, `string`, ...: an asset's data type in short. */
export function typeLabel(asset: Pick<AssetInfo, "schema_definition">): string {
  const definition = asset.schema_definition;
  return `${definition.type}${definition.is_array ? "[]" : ""}`;
}

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
                    <button type="button" className={`asset-item${id === selectedId ? " selected" : ""}`} onClick={() => onSelect(id)} data-asset-id={id}>
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

/** One asset with its content; read again whenever `version` changes (a live event). */
export function AssetDetail({ assetId, version, onClose }: { assetId: string; version: number; onClose: () => void }) {
  const [asset, setAsset] = useState<Asset | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const box = useRef<HTMLDivElement>(null);

  // Chosen from a hop far above, the detail would open out of sight.
  useEffect(() => {
    void box.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, [assetId]);

  useEffect(() => {
    const controller = new AbortController();
    getAsset(assetId, { signal: controller.signal })
      .then((loaded) => {
        setAsset(loaded);
        setProblem(null);
      })
      .catch((caught: unknown) => {
        if (!isAbort(caught)) setProblem(toProblem(caught));
      });
    return () => controller.abort();
  }, [assetId, version]);

  return (
    <div className="asset-detail card inset" aria-label="Asset detail" ref={box}>
      <div className="row spread">
        <h4>{asset ? asset.name : "Asset"}</h4>
        <button type="button" className="link small" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorBanner problem={problem} />
      {asset && asset.id === assetId && (
        <>
          <dl className="facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={asset.status} />
            </dd>
            <dt>Type</dt>
            <dd>
              <span className="type-tag">{typeLabel(asset)}</span>
            </dd>
            <dt>Role</dt>
            <dd>
              {asset.role} ({asset.scope_type}-scoped)
            </dd>
            {asset.description && (
              <>
                <dt>Description</dt>
                <dd>{asset.description}</dd>
              </>
            )}
            <dt>Updated</dt>
            <dd>{formatTime(asset.updated_at)}</dd>
          </dl>
          <h5>Content</h5>
          {asset.content === null || asset.content === undefined ? (
            <p className="muted asset-content-empty">No content yet.</p>
          ) : (
            <pre className="json asset-content">{prettyJson(asset.content)}</pre>
          )}
        </>
      )}
    </div>
  );
}
