import { describe, expect, it } from "vitest";

import { ValueType } from "../../api/types.gen";
import { asLinks, downloadOf, safeHref, viewsFor } from "./choose";

const list = (type: ValueType) => ({ type, is_array: true });
const one = (type: ValueType) => ({ type, is_array: false });

describe("viewsFor", () => {
  it("shows a list of records as a table first, then as a tree and raw", () => {
    expect(viewsFor(list(ValueType.OBJECT), [{ a: 1 }, { b: 2 }])).toEqual(["table", "tree", "raw"]);
  });
  it("renders markdown, with its text and raw JSON next to it", () => {
    expect(viewsFor(one(ValueType.MARKDOWN), "# Title")).toEqual(["markdown", "text", "raw"]);
    expect(viewsFor(one(ValueType.DAILY_NEWSLETTER_RECAP), "# Recap")).toEqual(["markdown", "text", "raw"]);
  });
  it("shows a string as text, and markdown only for types that are not plain text", () => {
    expect(viewsFor(one(ValueType.STRING), "a\nb")).toEqual(["text", "raw"]);
    expect(viewsFor(one(ValueType.NEWSLETTER), "a\nb")).toEqual(["text", "markdown", "raw"]);
  });
  it("shows search results and web pages as links, then as a table", () => {
    const results = [{ title: "A", url: "https://a.example/", snippet: "s" }];
    expect(viewsFor(list(ValueType.SEARCH_RESULT), results)).toEqual(["links", "table", "tree", "raw"]);
    expect(viewsFor(one(ValueType.WEBPAGE), { url: "https://a.example/", title: "A" })).toEqual([
      "links",
      "tree",
      "raw",
    ]);
  });
  it("goes by the content when it does not have the declared shape", () => {
    expect(viewsFor(list(ValueType.SEARCH_RESULT), [{ title: "no url" }])).toEqual(["table", "tree", "raw"]);
    expect(viewsFor(list(ValueType.OBJECT), [1, 2])).toEqual(["tree", "raw"]);
    expect(viewsFor(list(ValueType.OBJECT), [])).toEqual(["tree", "raw"]);
    expect(viewsFor(one(ValueType.NUMBER), 3)).toEqual(["value", "raw"]);
    expect(viewsFor(one(ValueType.OBJECT), null)).toEqual(["raw"]);
  });
});

describe("asLinks", () => {
  it("reads titles, addresses, snippets and errors, shortening long snippets", () => {
    const links = asLinks([
      { url: "https://a.example/", title: "", text: "x".repeat(400), error: "timed out" },
      { link: "https://b.example/", name: "B" },
    ]);
    expect(links?.[0]?.title).toBe("https://a.example/");
    expect(links?.[0]?.snippet?.length).toBe(280);
    expect(links?.[0]?.error).toBe("timed out");
    expect(links?.[1]).toEqual({ url: "https://b.example/", title: "B", snippet: null, error: null });
  });
  it("is null when an item has no address", () => {
    expect(asLinks([{ url: "https://a.example/" }, { title: "x" }])).toBeNull();
    expect(asLinks("text")).toBeNull();
  });
});

describe("safeHref", () => {
  it("links web addresses only", () => {
    expect(safeHref("https://a.example/x")).toBe("https://a.example/x");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("not a url")).toBeNull();
  });
});

describe("downloadOf", () => {
  it("names the file after the asset, with the extension of its content", () => {
    expect(downloadOf("Weekly report", one(ValueType.MARKDOWN), "# x")).toMatchObject({
      filename: "Weekly-report.md",
      text: "# x",
    });
    expect(downloadOf("notes", one(ValueType.STRING), "a")).toMatchObject({ filename: "notes.txt" });
    expect(downloadOf("Ranked / best", list(ValueType.OBJECT), [{ a: 1 }])).toMatchObject({
      filename: "Ranked-best.json",
      text: '[\n  {\n    "a": 1\n  }\n]\n',
    });
    expect(downloadOf("***", one(ValueType.OBJECT), null).filename).toBe("asset.json");
  });
});
