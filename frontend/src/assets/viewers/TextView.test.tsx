import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { TextView } from "./TextView";

describe("TextView", () => {
  it("keeps the text's line breaks and shows markup as text", () => {
    const { container } = render(<TextView text={"line one\nline two\n<b>not bold</b>"} />);
    const view = container.querySelector(".text-view") as HTMLElement;
    expect(view.textContent).toBe("line one\nline two\n<b>not bold</b>");
    expect(view.querySelector("b")).toBeNull();
  });
});
