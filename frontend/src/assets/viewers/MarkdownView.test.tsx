import { render } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { MarkdownView } from "./MarkdownView";

function html(source: string): HTMLElement {
  const { container } = render(<MarkdownView source={source} />);
  return container.querySelector(".markdown-view") as HTMLElement;
}

describe("MarkdownView", () => {
  it("renders headings, emphasis, lists, tables and code", () => {
    const view = html("# Report\n\nSome **bold** text.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n`x`");
    expect(view.querySelector("h1")?.textContent).toBe("Report");
    expect(view.querySelector("strong")?.textContent).toBe("bold");
    expect(view.querySelectorAll("li")).toHaveLength(2);
    expect(view.querySelector("td")?.textContent).toBe("1");
    expect(view.querySelector("code")?.textContent).toBe("x");
  });

  it("removes scripts, event handlers, inline styles and javascript links", () => {
    const view = html(
      '<script>window.bad = 1</script><p onclick="bad()" style="color:red">hi</p><a href="javascript:alert(1)">x</a>' +
        '<iframe src="https://a.example/"></iframe>',
    );
    expect(view.querySelector("script")).toBeNull();
    expect(view.querySelector("iframe")).toBeNull();
    const paragraph = view.querySelector("p");
    expect(paragraph?.getAttribute("onclick")).toBeNull();
    expect(paragraph?.getAttribute("style")).toBeNull();
    expect(view.querySelector("a")?.getAttribute("href")).toBeNull();
  });

  it("opens links in a new tab without handing over the page, and turns images into links", () => {
    const view = html("[site](https://a.example/) ![a chart](https://img.example/c.png)");
    const [link, image] = [...view.querySelectorAll("a")];
    expect(link?.getAttribute("target")).toBe("_blank");
    expect(link?.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    expect(view.querySelector("img")).toBeNull();
    expect(image?.getAttribute("href")).toBe("https://img.example/c.png");
    expect(image?.textContent).toContain("a chart");
  });
});
