import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { asLinks } from "./choose";
import { LinkList } from "./LinkList";

describe("LinkList", () => {
  it("lists search results as links with their address and snippet", () => {
    const links = asLinks([
      { title: "Tides", url: "https://tides.example/spring", snippet: "Spring tides happen", engine: "x" },
      { title: "Moon", url: "https://moon.example/", snippet: "", engine: null },
    ]);
    render(<LinkList links={links ?? []} />);
    const first = screen.getByRole("link", { name: "Tides" });
    expect(first.getAttribute("href")).toBe("https://tides.example/spring");
    expect(first.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    expect(screen.getByText("Spring tides happen")).toBeTruthy();
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
  });

  it("shows why a page was not retrieved, and no link for an address that is not on the web", () => {
    const links = asLinks([{ url: "javascript:alert(1)", title: "Bad", text: "", error: "refused" }]);
    render(<LinkList links={links ?? []} />);
    expect(screen.queryByRole("link")).toBeNull();
    expect(screen.getByText("Bad")).toBeTruthy();
    expect(screen.getByText("Not retrieved: refused")).toBeTruthy();
  });
});
