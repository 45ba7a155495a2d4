import { useMemo } from "react";

import { renderMarkdown } from "./markdown";

/** Markdown rendered as HTML, sanitised first (see `renderMarkdown`). */
export function MarkdownView({ source }: { source: string }) {
  const html = useMemo(() => renderMarkdown(source), [source]);
  // biome-ignore lint/security/noDangerouslySetInnerHtml: the HTML is sanitised by DOMPurify
  return <div className="markdown-view" dangerouslySetInnerHTML={{ __html: html }} />;
}
