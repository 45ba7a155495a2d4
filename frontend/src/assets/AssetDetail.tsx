import { useEffect, useRef } from "react";

import { ErrorBanner } from "../ui/ErrorBanner";
import { formatTime } from "../ui/format";
import { problemOf } from "../ui/problem";
import { StatusBadge } from "../ui/StatusBadge";
import { typeLabel } from "./draft";
import { useAsset } from "./hooks";
import { ContentViewer } from "./viewers/ContentViewer";

/** One asset with its content (in the viewer that fits it), read again whenever a live event says it may have changed. */
export function AssetDetail({ assetId, onClose }: { assetId: string; onClose: () => void }) {
  const { data: asset, error } = useAsset(assetId);
  const box = useRef<HTMLElement>(null);

  // Chosen from a hop far above, the detail would open out of sight.
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll again whenever another asset is chosen
  useEffect(() => {
    void box.current?.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }, [assetId]);

  return (
    <section className="asset-detail card inset" aria-label="Asset detail" ref={box}>
      <div className="row spread">
        <h4>{asset ? asset.name : "Asset"}</h4>
        <button type="button" className="link small" onClick={onClose}>
          Close
        </button>
      </div>
      <ErrorBanner problem={problemOf(error)} />
      {asset && (
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
            <div className="asset-content">
              <ContentViewer
                key={asset.id}
                name={asset.name}
                definition={asset.schema_definition}
                content={asset.content}
              />
            </div>
          )}
        </>
      )}
    </section>
  );
}
