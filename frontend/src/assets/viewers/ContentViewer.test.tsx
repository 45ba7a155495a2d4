import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { ValueType } from "../../api/types.gen";
import { ContentViewer } from "./ContentViewer";

const pressed = () => screen.getAllByRole("button", { pressed: true }).map((b) => b.textContent);

describe("ContentViewer", () => {
  it("opens records in a table and switches to the tree and the raw JSON", () => {
    const content = [{ title: "a", score: 1 }];
    render(<ContentViewer name="Ranked" definition={{ type: ValueType.OBJECT, is_array: true }} content={content} />);
    expect(pressed()).toEqual(["Table"]);
    expect(document.querySelector(".record-table")).not.toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Tree" }));
    expect(screen.getByRole("tree", { name: "Ranked, as a tree" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Raw JSON" }));
    expect(JSON.parse(document.querySelector(".asset-content-raw")?.textContent ?? "")).toEqual(content);
    expect(pressed()).toEqual(["Raw JSON"]);
  });

  it("renders markdown and shows its source as text on request", () => {
    render(<ContentViewer name="Report" definition={{ type: ValueType.MARKDOWN, is_array: false }} content="# Hi" />);
    expect(document.querySelector(".markdown-view h1")?.textContent).toBe("Hi");
    fireEvent.click(screen.getByRole("button", { name: "Text" }));
    expect(document.querySelector(".text-view")?.textContent).toBe("# Hi");
    expect(screen.getByRole("button", { name: "Download .md" })).toBeTruthy();
  });

  it("lists search results as links, and keeps the chosen view when the content changes", () => {
    const definition = { type: ValueType.SEARCH_RESULT, is_array: true };
    const first = [{ title: "A", url: "https://a.example/", snippet: "", engine: null }];
    const { rerender } = render(<ContentViewer name="Results" definition={definition} content={first} />);
    expect(screen.getByRole("link", { name: "A" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Table" }));
    rerender(
      <ContentViewer name="Results" definition={definition} content={[...first, { ...first[0], title: "B" }]} />,
    );
    expect(pressed()).toEqual(["Table"]);
    expect(document.querySelectorAll(".record-table tbody tr")).toHaveLength(2);
  });

  it("falls back to the first view that fits when the chosen one no longer does", () => {
    const definition = { type: ValueType.OBJECT, is_array: true };
    const { rerender } = render(<ContentViewer name="x" definition={definition} content={[{ a: 1 }]} />);
    fireEvent.click(screen.getByRole("button", { name: "Table" }));
    rerender(<ContentViewer name="x" definition={definition} content={[1, 2]} />);
    expect(pressed()).toEqual(["Tree"]);
  });
});
