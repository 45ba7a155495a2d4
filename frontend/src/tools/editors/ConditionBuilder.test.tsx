import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { toolCatalogFixture } from "../../api/fixtures.gen";
import { ConditionBuilder } from "./ConditionBuilder";
import { asSchema } from "./schema";

const schema = asSchema(
  toolCatalogFixture.tools.find((t) => t.id === "filter")?.parameters.find((p) => p.name === "conditions")
    ?.json_schema ?? {},
);

function Harness({ initial, seen }: { initial: unknown; seen: unknown[] }) {
  const [value, setValue] = useState(initial);
  return (
    <>
      <datalist id="fields">
        <option value="score" />
      </datalist>
      <ConditionBuilder
        schema={schema}
        value={value}
        onChange={(next) => {
          seen.push(next);
          setValue(next);
        }}
        fieldsListId="fields"
      />
    </>
  );
}

describe("ConditionBuilder", () => {
  it("builds a condition: a field offered from the input, an operator from the schema, a value read as JSON", () => {
    const seen: unknown[] = [];
    render(<Harness initial={undefined} seen={seen} />);
    expect(screen.getByText("No condition yet.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Add condition" }));
    const field = screen.getByLabelText("Condition 1 field");
    expect(field.getAttribute("list")).toBe("fields");
    fireEvent.change(field, { target: { value: "score" } });
    const operator = screen.getByLabelText("Condition 1 operator") as HTMLSelectElement;
    expect([...operator.options].map((o) => o.value)).toEqual([
      "eq",
      "ne",
      "gt",
      "gte",
      "lt",
      "lte",
      "contains",
      "in",
      "exists",
      "not_exists",
      "matches",
    ]);
    expect(operator.selectedOptions[0]?.textContent).toBe("equals");
    fireEvent.change(operator, { target: { value: "gte" } });
    fireEvent.change(screen.getByLabelText("Condition 1 value"), { target: { value: "2" } });
    expect(seen.at(-1)).toEqual([{ path: "score", op: "gte", value: 2 }]);
    expect(screen.getByText("a number")).toBeTruthy();
  });

  it("reads text as text, a list for 'is one of', and drops the value for 'exists'", () => {
    const seen: unknown[] = [];
    render(<Harness initial={[{ path: "title", op: "eq", value: "x" }]} seen={seen} />);
    const value = screen.getByLabelText("Condition 1 value") as HTMLInputElement;
    expect(value.value).toBe("x");
    fireEvent.change(value, { target: { value: "a b" } });
    expect(seen.at(-1)).toEqual([{ path: "title", op: "eq", value: "a b" }]);
    fireEvent.change(screen.getByLabelText("Condition 1 operator"), { target: { value: "in" } });
    fireEvent.change(screen.getByLabelText("Condition 1 value"), { target: { value: '["a", "b"]' } });
    expect(seen.at(-1)).toEqual([{ path: "title", op: "in", value: ["a", "b"] }]);
    fireEvent.change(screen.getByLabelText("Condition 1 operator"), { target: { value: "exists" } });
    expect(seen.at(-1)).toEqual([{ path: "title", op: "exists" }]);
    expect(screen.queryByLabelText("Condition 1 value")).toBeNull();
  });

  it("adds and removes conditions", () => {
    const seen: unknown[] = [];
    render(<Harness initial={[{ path: "a", op: "eq", value: 1 }]} seen={seen} />);
    fireEvent.click(screen.getByRole("button", { name: "Add condition" }));
    expect(seen.at(-1)).toEqual([
      { path: "a", op: "eq", value: 1 },
      { path: "", op: "eq" },
    ]);
    fireEvent.click(screen.getAllByRole("button", { name: "Remove" })[0] as HTMLElement);
    expect(seen.at(-1)).toEqual([{ path: "", op: "eq" }]);
  });
});
