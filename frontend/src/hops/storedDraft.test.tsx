import { act, fireEvent, render, renderHook, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { DraftNote } from "./DraftNote";
import { useLeaveWarning, useStoredDraft } from "./storedDraft";

const initial = () => ({ name: "" });
const revive = (raw: unknown) =>
  typeof raw === "object" && raw !== null && typeof (raw as { name?: unknown }).name === "string"
    ? (raw as { name: string })
    : null;

describe("useStoredDraft", () => {
  it("keeps what is typed, restores it in a new form, and clears it", () => {
    const first = renderHook(() => useStoredDraft("hop-plan:h1", initial, revive));
    expect(first.result.current.restoredAt).toBeNull();
    act(() => first.result.current.setValue(() => ({ name: "Rank" })));
    expect(first.result.current.unsaved).toBe(true);
    first.unmount();

    const again = renderHook(() => useStoredDraft("hop-plan:h1", initial, revive));
    expect(again.result.current.value).toEqual({ name: "Rank" });
    expect(again.result.current.restoredAt).not.toBeNull();
    expect(again.result.current.unsaved).toBe(true);
    // Another hop's form has its own draft.
    expect(renderHook(() => useStoredDraft("hop-plan:h2", initial, revive)).result.current.value).toEqual({ name: "" });

    act(() => again.result.current.clear());
    expect(again.result.current.unsaved).toBe(false);
    expect(renderHook(() => useStoredDraft("hop-plan:h1", initial, revive)).result.current.restoredAt).toBeNull();
  });

  it("discards a restored draft back to the starting values, and ignores one it cannot read", () => {
    window.localStorage.setItem(
      "missions.draft.v1:x",
      JSON.stringify({ savedAt: "2026-01-01T00:00:00Z", value: { name: "old" } }),
    );
    const hook = renderHook(() => useStoredDraft("x", initial, revive));
    act(() => hook.result.current.discard());
    expect(hook.result.current.value).toEqual({ name: "" });
    expect(window.localStorage.getItem("missions.draft.v1:x")).toBeNull();

    window.localStorage.setItem("missions.draft.v1:y", "{not json");
    window.localStorage.setItem("missions.draft.v1:z", JSON.stringify({ savedAt: "t", value: { name: 3 } }));
    expect(renderHook(() => useStoredDraft("y", initial, revive)).result.current.restoredAt).toBeNull();
    expect(renderHook(() => useStoredDraft("z", initial, revive)).result.current.value).toEqual({ name: "" });
  });

  it("stores what toStored keeps", () => {
    const hook = renderHook(() =>
      useStoredDraft(
        "s",
        () => ({ name: "", secret: "" }),
        () => null,
        (v) => ({ name: v.name }),
      ),
    );
    act(() => hook.result.current.setValue(() => ({ name: "n", secret: "hunter2" })));
    expect(window.localStorage.getItem("missions.draft.v1:s")).not.toContain("hunter2");
  });
});

describe("useLeaveWarning", () => {
  it("asks before leaving only while there is unsaved work", () => {
    const hook = renderHook(({ unsaved }) => useLeaveWarning(unsaved), { initialProps: { unsaved: true } });
    const leave = () => {
      const event = new Event("beforeunload", { cancelable: true });
      window.dispatchEvent(event);
      return event.defaultPrevented;
    };
    expect(leave()).toBe(true);
    hook.rerender({ unsaved: false });
    expect(leave()).toBe(false);
  });
});

describe("DraftNote", () => {
  it("says a draft was restored and discards it on request", () => {
    let discarded = false;
    render(<DraftNote restoredAt="2026-01-01T10:00:00Z" onDiscard={() => (discarded = true)} />);
    expect(screen.getByRole("status").textContent).toMatch(/^Draft restored/);
    fireEvent.click(screen.getByRole("button", { name: "Discard draft" }));
    expect(discarded).toBe(true);
  });
});
