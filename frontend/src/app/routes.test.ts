import { describe, expect, it } from "vitest";

import { sessionIdOf, sessionPath } from "./routes";

describe("sessionIdOf", () => {
  it("reads the session id of a session page's address", () => {
    const id = "0b5e4c4e-7d6f-4a59-9a43-3f7d9f1f2a10";
    expect(sessionIdOf(sessionPath(id))).toBe(id);
    expect(sessionIdOf(`/sessions/${id}/`)).toBe(id);
  });

  it("is null for the other addresses and for an address that cannot be decoded", () => {
    for (const pathname of ["/", "/sessions", "/sessions/", "/tool-lab", "/sessions/a/b", "/sessions/%E0%A4%A"]) {
      expect(sessionIdOf(pathname)).toBeNull();
    }
  });
});
