import { describe, expect, it } from "vitest";

import { assetFixture, hopFixture } from "../../api/fixtures.gen";
import type { AssetInfo, Hop } from "../../api/types.gen";
import { sentBackChain } from "./sentBack";

// A hop reading a list of records and writing a report; nothing else is left in it.
const records: AssetInfo = { ...assetFixture, id: "in-records" };
const report: AssetInfo = { ...assetFixture, id: "out-report", role: "output" as AssetInfo["role"] };
const assets = new Map([
  [records.id, records],
  [report.id, report],
]);
const hopWith = (metadata: Record<string, unknown>): Hop => ({ ...hopFixture, hop_metadata: metadata }) as Hop;

// A filter then a sort, as the server keeps them when the hop is sent back: the filter's result
// went to an intermediate the revision removed, the sort's to the hop's report.
const chain = {
  steps: [
    {
      tool_id: "filter",
      name: "Keep the good ones",
      description: "score at least 2",
      parameter_mapping: {
        items: { type: "asset_field", state_asset: "in-records", path: null },
        conditions: { type: "literal", value: [{ path: "score", op: "gte", value: 2 }] },
        match: { type: "literal", value: "all" },
      },
      result_mapping: { items: { type: "asset_field", state_asset: "kept-records" } },
    },
    {
      tool_id: "sort",
      name: "Best first",
      description: null,
      parameter_mapping: {
        items: { type: "asset_field", state_asset: "kept-records" },
        keys: { type: "literal", value: [{ path: "score", direction: "descending" }] },
      },
      result_mapping: { items: { type: "asset_field", state_asset: "out-report" }, count: { type: "discard" } },
    },
  ],
  last_error: "Step 1 (Keep the good ones): conditions[0]: invalid regular expression",
};

describe("sentBackChain", () => {
  const sent = sentBackChain(hopWith({ draft_chain: chain }), assets);

  it("keeps the steps in order with their tools and names, each with a key of its own", () => {
    expect(sent?.steps.map((step) => [step.toolId, step.name])).toEqual([
      ["filter", "Keep the good ones"],
      ["sort", "Best first"],
    ]);
    const [first, second] = sent?.steps ?? [];
    expect(first?.key).toBeTruthy();
    expect(first?.key).not.toBe(second?.key);
  });

  it("maps parameters read from assets to those assets", () => {
    expect(sent?.steps[0]?.params.items).toEqual({ kind: "asset", assetId: "in-records", text: "" });
    // Read from an intermediate no longer in the hop: still named, the earlier step declares it again.
    expect(sent?.steps[1]?.params.items).toEqual({ kind: "asset", assetId: "kept-records", text: "" });
  });

  it("gives literals back as text: plain text as is, anything else as JSON", () => {
    expect(sent?.steps[0]?.params.match).toEqual({ kind: "literal", assetId: "", text: "all" });
    const conditions = sent?.steps[0]?.params.conditions;
    expect(conditions?.kind).toBe("literal");
    expect(JSON.parse(conditions?.text ?? "")).toEqual([{ path: "score", op: "gte", value: 2 }]);
    expect(JSON.parse(sent?.steps[1]?.params.keys?.text ?? "")).toEqual([{ path: "score", direction: "descending" }]);
  });

  it("writes results to the hop's assets again, declares removed intermediates anew, and keeps discards", () => {
    expect(sent?.steps[1]?.results.items).toEqual({ kind: "asset", assetId: "out-report", newId: "" });
    expect(sent?.steps[0]?.results.items).toEqual({ kind: "new", assetId: "", newId: "kept-records" });
    expect(sent?.steps[1]?.results.count).toEqual({ kind: "discard", assetId: "", newId: "" });
  });

  it("carries the failure that sent the hop back, and asks for resources again", () => {
    expect(sent?.lastError).toBe(chain.last_error);
    expect(sent?.steps.every((step) => Object.keys(step.resources).length === 0)).toBe(true);
    const quiet = sentBackChain(hopWith({ draft_chain: { steps: chain.steps } }), assets);
    expect(quiet?.lastError).toBeNull();
  });

  it("leaves out parameters it cannot read, and names a step without a name after its tool", () => {
    const odd = sentBackChain(
      hopWith({
        draft_chain: {
          steps: [
            {
              tool_id: "sort",
              parameter_mapping: { items: { type: "asset_field" }, keys: "score", extra: { type: "other" } },
              result_mapping: "nothing",
            },
          ],
        },
      }),
      assets,
    );
    expect(odd?.steps[0]?.name).toBe("sort");
    expect(odd?.steps[0]?.params).toEqual({});
    expect(odd?.steps[0]?.results).toEqual({});
  });

  it("answers null for a hop with no draft chain, an empty one, or one it cannot read", () => {
    expect(sentBackChain(hopWith({}), assets)).toBeNull();
    expect(sentBackChain(hopWith({ draft_chain: null }), assets)).toBeNull();
    expect(sentBackChain(hopWith({ draft_chain: "filter, sort" }), assets)).toBeNull();
    expect(sentBackChain(hopWith({ draft_chain: { steps: [] } }), assets)).toBeNull();
    expect(sentBackChain(hopWith({ draft_chain: { steps: "filter" } }), assets)).toBeNull();
    expect(sentBackChain(hopWith({ draft_chain: [chain] }), assets)).toBeNull();
    // One garbled step spoils the chain: no half-chain is offered.
    expect(
      sentBackChain(hopWith({ draft_chain: { steps: [chain.steps[0], { name: "no tool" }] } }), assets),
    ).toBeNull();
    expect(sentBackChain(hopWith({ draft_chain: { steps: [chain.steps[0], 7] } }), assets)).toBeNull();
  });
});
