import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { SortKeysEditor } from "./SortKeysEditor";

function Harness({ initial, seen }: { initial: unknown; seen: unknown[] }) {
  const [value, setValue] = useState(initial);
  return (
    <SortKeysEditor
      value={value}
      onChange={(next) => {
        seen.push(next);
        setValue(next);
      }}
      fieldsListId="fields"
    />
  );
}

describe("SortKeysEditor", () => {
  it("adds keys with a field and a direction", () => {
    const seen: unknown[] = [];
    render(<Harness initial={undefined} seen={seen} />);
    fireEvent.click(screen.getByRole("button", { name: "Add sort key" }));
    fireEvent.change(screen.getByLabelText("Sort key 1 field"), { target: { value: "score" } });
    fireEvent.change(screen.getByLabelText("Sort key 1 direction"), { target: { value: "descending" } });
    expect(seen.at(-1)).toEqual([{ path: "score", descending: true }]);
    expect(screen.getByText("Sort by")).toBeTruthy();
  });

  it("reorders and removes keys, the most significant first", () => {
    const seen: unknown[] = [];
    render(
      <Harness
        initial={[
          { path: "a", descending: false },
          { path: "b", descending: true },
        ]}
        seen={seen}
      />,
    );
    expect((screen.getByLabelText("Sort key 2 direction") as HTMLSelectElement).value).toBe("descending");
    expect((screen.getByRole("button", { name: "Move sort key 1 up" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Move sort key 2 up" }));
    expect(seen.at(-1)).toEqual([
      { path: "b", descending: true },
      { path: "a", descending: false },
    ]);
    expect(screen.getByText("then by")).toBeTruthy();
    fireEvent.click(screen.getAllByRole("button", { name: "Remove" })[1] as HTMLElement);
    expect(seen.at(-1)).toEqual([{ path: "b", descending: true }]);
  });
});
