import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { FieldMapEditor } from "./FieldMapEditor";

function Harness({ initial, seen, paths = true }: { initial: unknown; seen: unknown[]; paths?: boolean }) {
  const [value, setValue] = useState(initial);
  return (
    <>
      <FieldMapEditor
        value={value}
        onChange={(next) => {
          seen.push(next);
          setValue(next);
        }}
        fieldsListId="fields"
        valuesArePaths={paths}
        valueLabel={paths ? "path" : "description"}
      />
      <button type="button" onClick={() => setValue({ replaced: "x" })}>
        replace
      </button>
    </>
  );
}

describe("FieldMapEditor", () => {
  it("maps output field names to paths, offered the input's fields", () => {
    const seen: unknown[] = [];
    render(<Harness initial={undefined} seen={seen} />);
    fireEvent.click(screen.getByRole("button", { name: "Add field" }));
    // A row with no name yet is kept on screen but not in the value.
    fireEvent.change(screen.getByLabelText("Field 1 path"), { target: { value: "author.name" } });
    expect(seen.at(-1)).toBeUndefined();
    expect(screen.getByLabelText("Field 1 path").getAttribute("list")).toBe("fields");
    fireEvent.change(screen.getByLabelText("Field 1 name"), { target: { value: "author" } });
    expect(seen.at(-1)).toEqual({ author: "author.name" });
    fireEvent.click(screen.getByRole("button", { name: "Add field" }));
    fireEvent.change(screen.getByLabelText("Field 2 name"), { target: { value: "year" } });
    fireEvent.change(screen.getByLabelText("Field 2 path"), { target: { value: "published.year" } });
    expect(seen.at(-1)).toEqual({ author: "author.name", year: "published.year" });
    fireEvent.click(screen.getAllByRole("button", { name: "Remove" })[0] as HTMLElement);
    expect(seen.at(-1)).toEqual({ year: "published.year" });
  });

  it("takes descriptions in words, and follows a value changed elsewhere", () => {
    const seen: unknown[] = [];
    render(<Harness initial={{ author: "the author's full name" }} seen={seen} paths={false} />);
    const description = screen.getByLabelText("Field 1 description") as HTMLInputElement;
    expect(description.value).toBe("the author's full name");
    expect(description.hasAttribute("list")).toBe(false);
    fireEvent.click(screen.getByRole("button", { name: "replace" }));
    expect((screen.getByLabelText("Field 1 name") as HTMLInputElement).value).toBe("replaced");
  });
});
