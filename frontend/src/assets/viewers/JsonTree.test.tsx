import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { JsonTree } from "./JsonTree";

const items = () => [...document.querySelectorAll<HTMLElement>('[role="treeitem"]')];
const rowText = (item: HTMLElement) => item.querySelector(".tree-row")?.textContent;
const focused = () => document.activeElement as HTMLElement;

describe("JsonTree", () => {
  const value = { name: "Ranked", items: [{ title: "a", score: 1 }, 2], done: true, none: null };

  it("opens the first level and shows the rest folded, with counts", () => {
    render(<JsonTree value={value} />);
    expect(screen.getByRole("tree", { name: "JSON content" })).toBeTruthy();
    expect(items().map(rowText)).toEqual([
      "▾{4 keys}",
      'name: "Ranked"',
      "▸items: [2 items]",
      "done: true",
      "none: null",
    ]);
    expect(items()[2]?.getAttribute("aria-expanded")).toBe("false");
    expect(items()[1]?.hasAttribute("aria-expanded")).toBe(false);
    expect(items()[1]?.getAttribute("aria-level")).toBe("2");
  });

  it("unfolds and folds with a click", () => {
    render(<JsonTree value={value} />);
    fireEvent.click(screen.getByText("items"));
    expect(items().map(rowText)).toContain("▸0: {2 keys}");
    fireEvent.click(screen.getByText("items"));
    expect(items().map(rowText)).not.toContain("▸0: {2 keys}");
  });

  it("is used from the keyboard: one item in the tab order, arrows move, fold and unfold", () => {
    render(<JsonTree value={value} />);
    const tabbable = items().filter((item) => item.tabIndex === 0);
    expect(tabbable).toHaveLength(1);
    const root = tabbable[0] as HTMLElement;
    root.focus();
    fireEvent.keyDown(root, { key: "ArrowDown" });
    expect(rowText(focused())).toBe('name: "Ranked"');
    fireEvent.keyDown(focused(), { key: "ArrowDown" });
    expect(rowText(focused())).toBe("▸items: [2 items]");
    fireEvent.keyDown(focused(), { key: "ArrowRight" });
    expect(focused().getAttribute("aria-expanded")).toBe("true");
    fireEvent.keyDown(focused(), { key: "ArrowRight" });
    expect(rowText(focused())).toBe("▸0: {2 keys}");
    fireEvent.keyDown(focused(), { key: "Enter" });
    expect(focused().getAttribute("aria-expanded")).toBe("true");
    fireEvent.keyDown(focused(), { key: "ArrowLeft" });
    expect(focused().getAttribute("aria-expanded")).toBe("false");
    fireEvent.keyDown(focused(), { key: "ArrowLeft" });
    expect(rowText(focused())).toBe("▾items: [2 items]");
    fireEvent.keyDown(focused(), { key: "End" });
    expect(rowText(focused())).toBe("none: null");
    expect(focused().tabIndex).toBe(0);
    fireEvent.keyDown(focused(), { key: "Home" });
    expect(focused()).toBe(root);
  });

  it("shows a long list a hundred children at a time", () => {
    render(<JsonTree value={Array.from({ length: 250 }, (_, i) => i)} />);
    expect(items()).toHaveLength(1 + 100 + 1);
    const more = screen.getByText("Show 100 more of 150 remaining");
    fireEvent.click(more);
    expect(items()).toHaveLength(1 + 200 + 1);
    const last = screen.getByText("Show 50 more of 50 remaining");
    last.focus();
    fireEvent.keyDown(last, { key: " " });
    expect(items()).toHaveLength(1 + 250);
  });

  it("shows a single value", () => {
    render(<JsonTree value="just text" />);
    expect(items().map(rowText)).toEqual(['"just text"']);
  });
});
