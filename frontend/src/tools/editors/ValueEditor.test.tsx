import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { readAny, showAny } from "./AnyValueInput";
import type { JsonSchema } from "./schema";
import { ValueEditor } from "./ValueEditor";

function Harness({
  schema,
  initial,
  seen,
  optional = false,
}: {
  schema: JsonSchema;
  initial: unknown;
  seen: unknown[];
  optional?: boolean;
}) {
  const [value, setValue] = useState(initial);
  return (
    <ValueEditor
      schema={schema}
      value={value}
      onChange={(next) => {
        seen.push(next);
        setValue(next);
      }}
      name="p"
      optional={optional}
      fieldsListId="fields"
    />
  );
}

describe("ValueEditor, generated from the schema", () => {
  it("edits a text", () => {
    const seen: unknown[] = [];
    render(<Harness schema={{ type: "string", maxLength: 5 }} initial="" seen={seen} />);
    const input = screen.getByLabelText("p") as HTMLInputElement;
    expect(input.maxLength).toBe(5);
    fireEvent.change(input, { target: { value: "hello" } });
    expect(seen).toEqual(["hello"]);
  });

  it("edits a number within its bounds, and leaves it out when emptied", () => {
    const seen: unknown[] = [];
    render(
      <Harness schema={{ type: "integer", minimum: 1, maximum: 50, default: 10 }} initial={undefined} seen={seen} />,
    );
    const input = screen.getByLabelText("p") as HTMLInputElement;
    expect([input.type, input.min, input.max, input.step, input.placeholder]).toEqual([
      "number",
      "1",
      "50",
      "1",
      "default 10",
    ]);
    fireEvent.change(input, { target: { value: "7" } });
    fireEvent.change(input, { target: { value: "" } });
    expect(seen).toEqual([7, undefined]);
  });

  it("edits a yes/no value", () => {
    const seen: unknown[] = [];
    render(<Harness schema={{ type: "boolean", default: false }} initial={undefined} seen={seen} />);
    expect(screen.getByText("not set")).toBeTruthy();
    fireEvent.click(screen.getByLabelText("p"));
    expect(seen).toEqual([true]);
    expect(screen.getByText("yes")).toBeTruthy();
  });

  it("chooses one of the schema's values, with 'not set' when it may be left out", () => {
    const seen: unknown[] = [];
    render(<Harness schema={{ type: "string", enum: ["all", "any"] }} initial={undefined} seen={seen} optional />);
    const select = screen.getByLabelText("p") as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(["not set", "all", "any"]);
    fireEvent.change(select, { target: { value: '"any"' } });
    fireEvent.change(select, { target: { value: "" } });
    expect(seen).toEqual(["any", undefined]);
  });

  it("edits a list: items added, edited and removed, no more than maxItems", () => {
    const seen: unknown[] = [];
    render(<Harness schema={{ type: "array", items: { type: "string" }, maxItems: 2 }} initial={["a"]} seen={seen} />);
    fireEvent.click(screen.getByRole("button", { name: "Add to p" }));
    fireEvent.change(screen.getByLabelText("p 2"), { target: { value: "b" } });
    expect(seen.at(-1)).toEqual(["a", "b"]);
    expect((screen.getByRole("button", { name: "Add to p" }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getAllByRole("button", { name: "Remove" })[0] as HTMLElement);
    expect(seen.at(-1)).toEqual(["b"]);
  });

  it("edits an object's properties: required ones marked, optional ones left out until set", () => {
    const seen: unknown[] = [];
    const schema: JsonSchema = {
      type: "array",
      items: {
        type: "object",
        properties: {
          name: { type: "string" },
          op: { type: "string", enum: ["count", "sum"] },
          path: { type: "string", default: "" },
        },
        required: ["name", "op"],
      },
    };
    render(<Harness schema={schema} initial={[]} seen={seen} />);
    fireEvent.click(screen.getByRole("button", { name: "Add to p" }));
    expect(seen.at(-1)).toEqual([{ name: "", op: "count" }]);
    fireEvent.change(screen.getByLabelText("p 1 name"), { target: { value: "total" } });
    fireEvent.change(screen.getByLabelText("p 1 op"), { target: { value: '"sum"' } });
    const path = screen.getByLabelText("p 1 path");
    expect(path.getAttribute("list")).toBe("fields");
    fireEvent.change(path, { target: { value: "price" } });
    expect(seen.at(-1)).toEqual([{ name: "total", op: "sum", path: "price" }]);
    expect(screen.getAllByTitle("required")).toHaveLength(2);
  });

  it("takes a value of any type where the schema says none", () => {
    const seen: unknown[] = [];
    render(<Harness schema={{}} initial={undefined} seen={seen} />);
    fireEvent.change(screen.getByLabelText("p"), { target: { value: "true" } });
    expect(seen).toEqual([true]);
    expect(screen.getByText("a boolean")).toBeTruthy();
  });
});

describe("readAny and showAny", () => {
  it("read JSON as JSON and anything else as text, and show values so they read back the same", () => {
    expect([readAny("3"), readAny("x y"), readAny('"3"'), readAny(""), readAny("[1]")]).toEqual([
      3,
      "x y",
      "3",
      undefined,
      [1],
    ]);
    for (const value of [3, "x y", "3", "true", [1, "a"], null, { a: 1 }])
      expect(readAny(showAny(value))).toEqual(value);
  });
});
