import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { RecordTable } from "./RecordTable";
import { sortedIndexes } from "./records";

// Plain selectors: role queries over hundreds of cells are slow in jsdom.
function bodyRows() {
  return [...document.querySelectorAll(".record-table tbody tr")].map((row) =>
    [...row.querySelectorAll("td")].map((cell) => cell.textContent),
  );
}

describe("RecordTable", () => {
  const records = [
    { title: "b", score: 2 },
    { title: "a10", score: null, extra: { deep: [1, 2] } },
    { title: "a2", score: 3 },
  ];

  it("has a column per key, in the order keys first appear, and shows missing values as a dash", () => {
    render(<RecordTable records={records} />);
    expect(screen.getAllByRole("columnheader").map((th) => th.textContent)).toEqual(["#", "title", "score", "extra"]);
    expect(bodyRows()).toEqual([
      ["1", "b", "2", "—"],
      ["2", "a10", "—", '{"deep":[1,2]}'],
      ["3", "a2", "3", "—"],
    ]);
  });

  it("sorts by a column: ascending, then descending, then the original order; nulls last both ways", () => {
    render(<RecordTable records={records} />);
    const score = screen.getByRole("button", { name: "score" });
    fireEvent.click(score);
    expect(bodyRows().map((row) => row[2])).toEqual(["2", "3", "—"]);
    expect(screen.getByRole("columnheader", { name: /score/ }).getAttribute("aria-sort")).toBe("ascending");
    fireEvent.click(score);
    expect(bodyRows().map((row) => row[2])).toEqual(["3", "2", "—"]);
    expect(screen.getByRole("columnheader", { name: /score/ }).getAttribute("aria-sort")).toBe("descending");
    fireEvent.click(score);
    expect(bodyRows().map((row) => row[0])).toEqual(["1", "2", "3"]);
  });

  it("sorts texts as people read numbers in them", () => {
    render(<RecordTable records={records} />);
    fireEvent.click(screen.getByRole("button", { name: "title" }));
    expect(bodyRows().map((row) => row[1])).toEqual(["a2", "a10", "b"]);
  });

  it("shows a long list a page at a time", () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ n: i, name: `item ${i}` }));
    render(<RecordTable records={many} />);
    expect(bodyRows()).toHaveLength(50);
    expect(screen.getByText(/Rows 1–50 of 1000 \(page 1 of 20\)/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(bodyRows()[0]?.[1]).toBe("50");
    fireEvent.click(screen.getByRole("button", { name: "Last" }));
    expect(bodyRows().at(-1)?.[1]).toBe("999");
    expect((screen.getByRole("button", { name: "Next" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("Rows per page"), { target: { value: "200" } });
    expect(bodyRows()).toHaveLength(200);
    expect(screen.getByText(/page 1 of 5/)).toBeTruthy();
    // Sorting goes back to the first page.
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    fireEvent.click(screen.getByRole("button", { name: "n" }));
    fireEvent.click(screen.getByRole("button", { name: "n" }));
    expect(bodyRows()[0]?.[1]).toBe("999");
  });

  it("has no pager for a short list", () => {
    render(<RecordTable records={records} />);
    expect(screen.queryByRole("navigation", { name: "Pages" })).toBeNull();
  });
});

describe("sortedIndexes", () => {
  it("is stable and orders values of different types by type", () => {
    const rows = [{ v: "x" }, { v: 1 }, { v: true }, { v: 1 }, {}];
    expect(sortedIndexes(rows, { column: "v", descending: false })).toEqual([1, 3, 0, 2, 4]);
    expect(sortedIndexes(rows, { column: "v", descending: true })).toEqual([2, 0, 1, 3, 4]);
  });
});
