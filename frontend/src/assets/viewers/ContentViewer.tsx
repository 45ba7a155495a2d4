import { useState } from "react";

import type { SchemaDefinition } from "../../api/types.gen";
import { prettyJson } from "../../ui/format";
import { asLinks, isRecordList, VIEW_LABELS, type ViewKind, viewsFor } from "./choose";
import { DownloadButton } from "./DownloadButton";
import { JsonTree } from "./JsonTree";
import { LinkList } from "./LinkList";
import { MarkdownView } from "./MarkdownView";
import { RecordTable } from "./RecordTable";
import { TextView } from "./TextView";

/** An asset's content in the view that fits its type and data (a table of records, rendered
 * markdown, text, links, a JSON tree), with a switch to the other views that fit, the raw
 * JSON always among them, and a download of the content as a file. */
export function ContentViewer({
  name,
  definition,
  content,
}: {
  name: string;
  definition: Pick<SchemaDefinition, "type" | "is_array">;
  content: unknown;
}) {
  const views = viewsFor(definition, content);
  const [chosen, setChosen] = useState<ViewKind | null>(null);
  const view = chosen !== null && views.includes(chosen) ? chosen : (views[0] ?? "raw");

  return (
    <div className="content-viewer" data-view={view}>
      <div className="row spread viewer-bar">
        {/* biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form's fieldset */}
        <div className="view-switch" role="group" aria-label="View">
          {views.map((kind) => (
            <button
              key={kind}
              type="button"
              className="small"
              aria-pressed={kind === view}
              data-view-option={kind}
              onClick={() => setChosen(kind)}
            >
              {VIEW_LABELS[kind]}
            </button>
          ))}
        </div>
        <DownloadButton name={name} definition={definition} content={content} />
      </div>
      <View kind={view} content={content} name={name} />
    </div>
  );
}

function View({ kind, content, name }: { kind: ViewKind; content: unknown; name: string }) {
  switch (kind) {
    case "table":
      return isRecordList(content) ? <RecordTable records={content} /> : null;
    case "markdown":
      return <MarkdownView source={String(content)} />;
    case "text":
      return <TextView text={String(content)} />;
    case "links":
      return <LinkList links={asLinks(content) ?? []} />;
    case "tree":
      return <JsonTree value={content} label={`${name}, as a tree`} />;
    case "value":
      return <p className="value-view">{String(content)}</p>;
    case "raw":
      return <pre className="json asset-content-raw">{prettyJson(content)}</pre>;
  }
}
