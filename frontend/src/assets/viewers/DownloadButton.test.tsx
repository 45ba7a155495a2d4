import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { ValueType } from "../../api/types.gen";
import { DownloadButton } from "./DownloadButton";

function captureDownload() {
  const saved: { blob: Blob | null; filename: string } = { blob: null, filename: "" };
  vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
    saved.blob = blob as Blob;
    return "blob:download";
  });
  vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
  vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
    saved.filename = this.download;
  });
  return saved;
}

// jsdom's Blob has no text(); its FileReader reads one.
function read(blob: Blob | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    if (blob) reader.readAsText(blob);
    else reject(new Error("nothing was saved"));
  });
}

describe("DownloadButton", () => {
  it("saves markdown as a .md file with the text as it is", async () => {
    const saved = captureDownload();
    render(<DownloadButton name="Weekly report" definition={{ type: ValueType.MARKDOWN }} content={"# Week\n"} />);
    fireEvent.click(screen.getByRole("button", { name: "Download .md" }));
    expect(saved.filename).toBe("Weekly-report.md");
    expect(saved.blob?.type).toBe("text/markdown;charset=utf-8");
    expect(await read(saved.blob)).toBe("# Week\n");
  });

  it("saves text as .txt and anything else as indented JSON", async () => {
    const saved = captureDownload();
    const { rerender } = render(<DownloadButton name="notes" definition={{ type: ValueType.STRING }} content="a" />);
    fireEvent.click(screen.getByRole("button", { name: "Download .txt" }));
    expect(saved.filename).toBe("notes.txt");
    rerender(<DownloadButton name="Ranked" definition={{ type: ValueType.OBJECT }} content={[{ a: 1 }]} />);
    fireEvent.click(screen.getByRole("button", { name: "Download .json" }));
    expect(saved.filename).toBe("Ranked.json");
    expect(JSON.parse(await read(saved.blob))).toEqual([{ a: 1 }]);
    expect(document.querySelector("a[download]")).toBeNull();
  });
});
