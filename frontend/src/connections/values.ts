import type { ResourceField } from "../api/types.gen";

/** Typed text of a resource field as the server expects it: numbers and booleans parsed,
 * empty text left out (a stored value is kept). */
export function fieldValue(field: ResourceField, text: string): unknown {
  if (field.type === "integer" || field.type === "number") return Number(text);
  if (field.type === "boolean") return text === "true";
  return text;
}

/** The entered values of a form, typed, without the empty ones. */
export function enteredValues(fields: ResourceField[], texts: Record<string, string>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    const text = texts[field.name] ?? "";
    if (text !== "") values[field.name] = fieldValue(field, text);
  }
  return values;
}
