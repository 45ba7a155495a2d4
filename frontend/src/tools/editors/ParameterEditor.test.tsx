import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { toolCatalogFixture } from "../../api/fixtures.gen";
import type { ToolParameter } from "../../api/types.gen";
import { type EditMode, literalValue, ParameterEditor } from "./ParameterEditor";

function parameter(toolId: string, name: string): ToolParameter {
  const found = toolCatalogFixture.tools.find((t) => t.id === toolId)?.parameters.find((p) => p.name === name);
  if (!found) throw new Error(`no parameter ${toolId}.${name}`);
  return found as ToolParameter;
}

function Harness({ of, textual, initial }: { of: ToolParameter; textual: boolean; initial: string }) {
  const [state, setState] = useState<{ text: string; mode: EditMode }>({ text: initial, mode: "form" });
  return (
    <>
      <ParameterEditor
        parameter={of}
        textual={textual}
        text={state.text}
        mode={state.mode}
        onChange={(text, mode) => setState({ text, mode })}
        fieldsListId="fields"
      />
      <output data-testid="text">{state.text}</output>
    </>
  );
}

const text = () => screen.getByTestId("text").textContent;

describe("ParameterEditor", () => {
  it("edits sort keys in the form and as JSON, both the same value", () => {
    render(<Harness of={parameter("sort", "keys")} textual={false} initial="" />);
    expect(screen.getByRole("button", { name: "Form", pressed: true })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Add sort key" }));
    fireEvent.change(screen.getByLabelText("Sort key 1 field"), { target: { value: "score" } });
    expect(JSON.parse(text() ?? "")).toEqual([{ path: "score", descending: false }]);

    fireEvent.click(screen.getByRole("button", { name: "JSON" }));
    const json = screen.getByLabelText("keys value (JSON)") as HTMLTextAreaElement;
    expect(JSON.parse(json.value)).toEqual([{ path: "score", descending: false }]);
    fireEvent.change(json, { target: { value: '[{"path": "title", "descending": true}]' } });
    fireEvent.click(screen.getByRole("button", { name: "Form" }));
    expect((screen.getByLabelText("Sort key 1 field") as HTMLInputElement).value).toBe("title");
    expect((screen.getByLabelText("Sort key 1 direction") as HTMLSelectElement).value).toBe("descending");
  });

  it("says when the JSON typed does not parse, and offers to fix it as JSON", () => {
    render(<Harness of={parameter("filter", "conditions")} textual={false} initial="[{" />);
    expect(screen.getByText(/not valid JSON/)).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Edit it as JSON" }));
    expect((screen.getByLabelText("conditions value (JSON)") as HTMLTextAreaElement).value).toBe("[{");
  });

  it("edits a text parameter as text, and one with a list of values as a choice", () => {
    const { unmount } = render(<Harness of={parameter("web_search", "query")} textual initial="" />);
    fireEvent.change(screen.getByLabelText("query value"), { target: { value: "spring tides" } });
    expect(text()).toBe("spring tides");
    expect(screen.queryByRole("button", { name: "JSON" })).toBeNull();
    unmount();
    render(<Harness of={parameter("filter", "match")} textual initial="" />);
    const select = screen.getByLabelText("match value") as HTMLSelectElement;
    expect([...select.options].map((o) => o.value)).toEqual(["", "all", "any"]);
    fireEvent.change(select, { target: { value: "any" } });
    expect(text()).toBe("any");
  });

  it("edits a number parameter", () => {
    render(<Harness of={parameter("web_search", "max_results")} textual={false} initial="" />);
    fireEvent.change(screen.getByLabelText("max_results"), { target: { value: "5" } });
    expect(text()).toBe("5");
  });
});

describe("literalValue", () => {
  it("reads text as it is and anything else as JSON", () => {
    expect(literalValue("a", true)).toEqual({ ok: true, value: "a" });
    expect(literalValue("[1]", false)).toEqual({ ok: true, value: [1] });
    expect(literalValue("", false)).toEqual({ ok: true, value: undefined });
    expect(literalValue("[", false).ok).toBe(false);
  });
});
