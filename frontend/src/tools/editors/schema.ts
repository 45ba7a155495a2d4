import type { JSONSchema7, JSONSchema7Definition, JSONSchema7TypeName } from "json-schema";

import type { SchemaDefinition } from "../../api/types.gen";

/** Reading the JSON Schemas of tool parameters (`ToolParameter.json_schema` of the catalog)
 * to choose an editor for each, and the field paths an input asset offers as suggestions. */
export type JsonSchema = JSONSchema7;

/** The catalog's `json_schema` is JSON Schema (draft 7 keywords) as a plain object. */
export function asSchema(json: Record<string, unknown>): JsonSchema {
  return json as JsonSchema;
}

/** A schema of a definition (`true` and `false` are "anything" and "nothing"). */
export function schemaOf(definition: JSONSchema7Definition | undefined): JsonSchema {
  return typeof definition === "object" ? definition : {};
}

/** The one type a value takes, `null` aside (`["string", "null"]` is a string); none when
 * the schema allows any value. */
export function typeOf(schema: JsonSchema): JSONSchema7TypeName | null {
  const types = (Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : []).filter(
    (t) => t !== "null",
  );
  return types.length === 1 ? (types[0] ?? null) : null;
}

export type EditorKind =
  | "conditions"
  | "sortKeys"
  | "fieldMap"
  | "enum"
  | "string"
  | "number"
  | "boolean"
  | "array"
  | "object"
  | "any";

/** The properties of a list's items, when they are objects. */
export function itemProperties(schema: JsonSchema): Record<string, JsonSchema> | null {
  const items = schemaOf(Array.isArray(schema.items) ? undefined : schema.items);
  if (typeOf(items) !== "object" || !items.properties) return null;
  return Object.fromEntries(Object.entries(items.properties).map(([k, v]) => [k, schemaOf(v)]));
}

/** Which editor fits a schema: by its shape, not by the tool's name, so that any tool whose
 * parameter has the shape gets the same editor. */
export function editorKind(schema: JsonSchema): EditorKind {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return "enum";
  const type = typeOf(schema);
  if (type === "array") {
    const properties = itemProperties(schema);
    if (properties?.path && properties.op && Array.isArray(properties.op.enum) && properties.value) return "conditions";
    if (properties?.path && properties.descending && typeOf(properties.descending) === "boolean") return "sortKeys";
    return "array";
  }
  if (type === "object") {
    const extra = schema.additionalProperties;
    if (!schema.properties && typeof extra === "object" && typeOf(extra) === "string") return "fieldMap";
    return "object";
  }
  if (type === "string") return "string";
  if (type === "number" || type === "integer") return "number";
  if (type === "boolean") return "boolean";
  return "any";
}

/** The value a new item of a list starts with. */
export function emptyValue(schema: JsonSchema): unknown {
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  switch (typeOf(schema)) {
    case "string":
      return "";
    case "boolean":
      return false;
    case "array":
      return [];
    case "object": {
      const value: Record<string, unknown> = {};
      for (const name of schema.required ?? []) {
        const property = schemaOf(schema.properties?.[name]);
        value[name] = emptyValue(property);
      }
      return value;
    }
    default:
      return null;
  }
}

/** Whether a property or parameter named so holds a path into an item (so it is offered the
 * input's fields). */
export function isPathName(name: string): boolean {
  return /(^|[_\s])(path|source|key)$/.test(name);
}

/** The field paths of a SchemaDefinition: `title`, `author.name`, ... (lists are not entered). */
export function fieldPaths(definition: Pick<SchemaDefinition, "fields"> | null | undefined, prefix = ""): string[] {
  const paths: string[] = [];
  for (const [name, field] of Object.entries(definition?.fields ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    paths.push(path);
    if (!field.is_array) paths.push(...fieldPaths(field, path));
  }
  return paths;
}

/** The keys the first records of a content have, for an asset whose definition names none. */
export function contentPaths(content: unknown, sample = 50): string[] {
  const records = Array.isArray(content) ? content.slice(0, sample) : [content];
  const seen = new Set<string>();
  for (const record of records) {
    if (typeof record !== "object" || record === null || Array.isArray(record)) continue;
    for (const [key, value] of Object.entries(record)) {
      seen.add(key);
      if (typeof value === "object" && value !== null && !Array.isArray(value)) {
        for (const inner of Object.keys(value)) seen.add(`${key}.${inner}`);
      }
    }
  }
  return [...seen];
}
