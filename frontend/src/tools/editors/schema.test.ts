import { describe, expect, it } from "vitest";

import { toolCatalogFixture } from "../../api/fixtures.gen";
import { asSchema, contentPaths, editorKind, emptyValue, fieldPaths, typeOf } from "./schema";

function parameter(toolId: string, name: string) {
  const tool = toolCatalogFixture.tools.find((t) => t.id === toolId);
  const found = tool?.parameters.find((p) => p.name === name);
  if (!found) throw new Error(`no parameter ${toolId}.${name} in the catalog`);
  return asSchema(found.json_schema);
}

describe("editorKind, on the real tool catalog", () => {
  it("chooses the structured editors by the schema's shape", () => {
    expect(editorKind(parameter("filter", "conditions"))).toBe("conditions");
    expect(editorKind(parameter("sort", "keys"))).toBe("sortKeys");
    expect(editorKind(parameter("extract", "fields"))).toBe("fieldMap");
    expect(editorKind(parameter("extract", "described_fields"))).toBe("fieldMap");
  });
  it("chooses by type for the rest", () => {
    expect(editorKind(parameter("filter", "match"))).toBe("enum");
    expect(editorKind(parameter("web_search", "query"))).toBe("string");
    expect(editorKind(parameter("web_search", "max_results"))).toBe("number");
    expect(editorKind(parameter("extract", "ignore_case"))).toBe("boolean");
    expect(editorKind(parameter("web_retrieve", "urls"))).toBe("array");
    expect(editorKind(parameter("group_reduce", "reductions"))).toBe("array");
    expect(editorKind({})).toBe("any");
    expect(editorKind({ type: "object", properties: { a: { type: "string" } } })).toBe("object");
  });
});

describe("schema helpers", () => {
  it("reads a nullable type as its type", () => {
    expect(typeOf({ type: ["string", "null"] })).toBe("string");
    expect(typeOf({ type: ["string", "number"] })).toBeNull();
  });
  it("starts new values from defaults, the first choice, or the required properties", () => {
    expect(emptyValue({ type: "string", enum: ["all", "any"] })).toBe("all");
    expect(emptyValue({ type: "boolean", default: true })).toBe(true);
    const condition = parameter("filter", "conditions").items;
    expect(emptyValue(typeof condition === "object" && !Array.isArray(condition) ? condition : {})).toEqual({
      path: "",
      op: "eq",
    });
  });
  it("lists the field paths of a definition, and the keys of a content", () => {
    const definition = {
      fields: {
        title: { type: "string", is_array: false, description: null, fields: null },
        author: {
          type: "object",
          is_array: false,
          description: null,
          fields: { name: { type: "string", is_array: false, description: null, fields: null } },
        },
      },
    } as const;
    expect(fieldPaths(definition)).toEqual(["title", "author", "author.name"]);
    expect(fieldPaths(null)).toEqual([]);
    expect(contentPaths([{ a: 1, b: { c: 2 } }, { d: 3 }, 4])).toEqual(["a", "b", "b.c", "d"]);
  });
});
