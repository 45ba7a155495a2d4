import { type SchemaDefinition, ValueType } from "../../api/types.gen";

/** The ways an asset's content can be shown. `raw` (the JSON as text) is always offered. */
export type ViewKind = "table" | "markdown" | "text" | "links" | "tree" | "value" | "raw";

export const VIEW_LABELS: Record<ViewKind, string> = {
  table: "Table",
  markdown: "Rendered",
  text: "Text",
  links: "Links",
  tree: "Tree",
  value: "Value",
  raw: "Raw JSON",
};

/** A plain JSON object (not a list, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A link as the link list shows it. */
export interface LinkItem {
  url: string;
  title: string;
  snippet: string | null;
  /** Why a page could not be retrieved, when it could not. */
  error: string | null;
}

const URL_KEYS = ["url", "link", "href", "final_url"] as const;
const TITLE_KEYS = ["title", "name"] as const;
const SNIPPET_KEYS = ["snippet", "description", "summary", "text", "content"] as const;
const SNIPPET_LENGTH = 280;

function firstText(item: Record<string, unknown>, keys: readonly string[]): string | null {
  for (const key of keys) {
    const value = item[key];
    if (typeof value === "string" && value.trim() !== "") return value;
  }
  return null;
}

/** Only web addresses become links: a `javascript:` or `data:` URL stays text. */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > SNIPPET_LENGTH ? `${flat.slice(0, SNIPPET_LENGTH - 1)}…` : flat;
}

/** Search results and web pages (one or a list) as links; null when an item has no URL. */
export function asLinks(content: unknown): LinkItem[] | null {
  const items = Array.isArray(content) ? content : [content];
  if (items.length === 0) return null;
  const links: LinkItem[] = [];
  for (const item of items) {
    if (!isRecord(item)) return null;
    const url = firstText(item, URL_KEYS);
    if (url === null) return null;
    const snippet = firstText(item, SNIPPET_KEYS);
    const error = typeof item.error === "string" && item.error !== "" ? item.error : null;
    links.push({ url, title: firstText(item, TITLE_KEYS) ?? url, snippet: snippet && shorten(snippet), error });
  }
  return links;
}

/** A non-empty list whose every item is a plain object: a table of records. */
export function isRecordList(content: unknown): content is Record<string, unknown>[] {
  return Array.isArray(content) && content.length > 0 && content.every(isRecord);
}

const LINK_TYPES: ReadonlySet<string> = new Set([ValueType.SEARCH_RESULT, ValueType.WEBPAGE]);
const TEXT_TYPES: ReadonlySet<string> = new Set([ValueType.STRING, ValueType.EMAIL, ValueType.PRIMITIVE]);
/** Types whose text is Markdown: rendered first. */
const MARKDOWN_TYPES: ReadonlySet<string> = new Set([ValueType.MARKDOWN, ValueType.DAILY_NEWSLETTER_RECAP]);

/** The views that fit an asset, the best first, chosen by its SchemaDefinition and checked
 * against its content (a declared type the content does not have is not offered). */
export function viewsFor(definition: Pick<SchemaDefinition, "type" | "is_array">, content: unknown): ViewKind[] {
  const views: ViewKind[] = [];
  if (typeof content === "string") {
    const markdown = MARKDOWN_TYPES.has(definition.type);
    views.push(markdown ? "markdown" : "text");
    if (markdown) views.push("text");
    else if (!TEXT_TYPES.has(definition.type)) views.push("markdown");
    views.push("raw");
    return views;
  }
  if (typeof content === "number" || typeof content === "boolean") return ["value", "raw"];
  if (LINK_TYPES.has(definition.type) && asLinks(content) !== null) views.push("links");
  if (isRecordList(content)) views.push("table");
  if (isRecord(content) || Array.isArray(content)) views.push("tree");
  views.push("raw");
  return views;
}

/** The file an asset downloads as: markdown and text as they are, anything else as JSON. */
export function downloadOf(
  name: string,
  definition: Pick<SchemaDefinition, "type">,
  content: unknown,
): { filename: string; type: string; text: string } {
  const base =
    name
      .trim()
      .replace(/[^\p{L}\p{N}._-]+/gu, "-")
      .replace(/^-+|-+$/g, "") || "asset";
  if (typeof content === "string") {
    return definition.type === ValueType.MARKDOWN
      ? { filename: `${base}.md`, type: "text/markdown;charset=utf-8", text: content }
      : { filename: `${base}.txt`, type: "text/plain;charset=utf-8", text: content };
  }
  return {
    filename: `${base}.json`,
    type: "application/json;charset=utf-8",
    text: `${JSON.stringify(content ?? null, null, 2)}\n`,
  };
}
