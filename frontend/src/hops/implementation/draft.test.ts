import { describe, expect, it } from "vitest";

import { assetFixture, hopFixture, toolCatalogFixture } from "../../api/fixtures.gen";
import type { AssetInfo, Hop, ToolSpec } from "../../api/types.gen";
import { buildProposal, stepFor } from "./draft";

const tools = new Map((toolCatalogFixture.tools as ToolSpec[]).map((tool) => [tool.id, tool]));
const tool = (id: string) => tools.get(id) as ToolSpec;

// A hop reading a list of records and writing a new list of records.
const records: AssetInfo = { ...assetFixture, id: "in-records" };
const output: AssetInfo = { ...assetFixture, id: "out-list", role: "output" as AssetInfo["role"] };
const hop = {
  ...hopFixture,
  asset_summary: { inputs: ["in-records"], outputs: ["out-list"], intermediate: [] },
  hop_asset_map: { "in-records": "input", "out-list": "output" },
} as unknown as Hop;
const assets = new Map([
  [records.id, records],
  [output.id, output],
]);

describe("stepFor", () => {
  it("maps a first step's list to the hop's input and its result to the hop's output", () => {
    const { step, previous } = stepFor(tool("filter"), "s1", hop, assets, new Set());
    expect(step.params.items).toEqual({ kind: "asset", assetId: "in-records", text: "" });
    expect(step.params.conditions?.kind).toBe("literal");
    expect(step.params.match?.kind).toBe("unset");
    expect(step.results.items).toMatchObject({ kind: "asset", assetId: "out-list" });
    expect(previous).toBeNull();
  });

  it("wires a new step's first parameter to the previous step's output, and hands it the hop's output", () => {
    const taken = new Set<string>();
    const first = stepFor(tool("filter"), "s1", hop, assets, taken).step;
    const { step, previous } = stepFor(tool("sort"), "s2", hop, assets, taken, { step: first, tool: tool("filter") });
    const intermediate = previous?.results.items;
    expect(intermediate?.kind).toBe("new");
    expect(step.params.items).toEqual({ kind: "asset", assetId: intermediate?.newId, text: "" });
    expect(step.results.items).toMatchObject({ kind: "asset", assetId: "out-list" });
  });

  it("reads a previous step's new intermediate directly, and leaves a parameter of another type alone", () => {
    const search = stepFor(tool("web_search"), "s1", hop, assets, new Set()).step;
    expect(search.results.results?.kind).toBe("new");
    const next = stepFor(tool("filter"), "s2", hop, assets, new Set(), { step: search, tool: tool("web_search") });
    // search_result[] is not object[]: the list stays on the hop's input.
    expect(next.step.params.items?.assetId).toBe("in-records");
    expect(next.previous).toBeNull();
    const filtered = stepFor(tool("filter"), "s1", hop, assets, new Set()).step;
    const summary = stepFor(tool("summarize"), "s2", hop, assets, new Set(), { step: filtered, tool: tool("filter") });
    expect(summary.step.params.text?.kind).toBe("literal");
  });
});

describe("buildProposal", () => {
  it("sends the structured editors' JSON as literal values", () => {
    const { step } = stepFor(tool("sort"), "s1", hop, assets, new Set());
    step.params = {
      ...step.params,
      keys: { kind: "literal", assetId: "", text: '[{"path":"score","descending":true}]', mode: "form" },
    };
    const { proposal, local } = buildProposal([step], tools);
    expect(local).toEqual([]);
    expect(proposal.steps[0]?.parameter_mapping?.keys).toEqual({
      type: "literal",
      value: [{ path: "score", descending: true }],
    });
  });
});
