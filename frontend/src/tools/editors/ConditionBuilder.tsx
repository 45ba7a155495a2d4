import { AnyValueInput } from "./AnyValueInput";
import { PathInput } from "./PathInput";
import { asList, asObject, removed, replaced, withKey } from "./rows";
import { emptyValue, itemProperties, type JsonSchema, schemaOf } from "./schema";

const OPERATOR_WORDS: Record<string, string> = {
  eq: "equals",
  ne: "does not equal",
  gt: "is greater than",
  gte: "is at least",
  lt: "is less than",
  lte: "is at most",
  contains: "contains",
  in: "is one of",
  exists: "exists",
  not_exists: "does not exist",
  matches: "matches the pattern",
};
/** Operators that compare with no value. */
const UNARY = new Set(["exists", "not_exists"]);

export function operatorWords(op: string): string {
  return OPERATOR_WORDS[op] ?? op.replace(/_/g, " ");
}

/** Conditions on the items of a list, one row each: the field, an operator from the schema's
 * own list, the value compared (a list for "is one of", a pattern for "matches"). */
export function ConditionBuilder({
  schema,
  value,
  onChange,
  fieldsListId,
}: {
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  fieldsListId: string | undefined;
}) {
  const conditions = asList(value).map(asObject);
  const properties = itemProperties(schema) ?? {};
  const operators = (schemaOf(properties.op).enum ?? []).map(String);
  const item = schemaOf(Array.isArray(schema.items) ? undefined : schema.items);

  return (
    <div className="structured condition-builder">
      {conditions.length === 0 && <p className="muted small-text">No condition yet.</p>}
      {conditions.map((condition, index) => {
        const n = index + 1;
        const op = String(condition.op ?? operators[0] ?? "");
        const set = (key: string, next: unknown) =>
          onChange(replaced(conditions, index, withKey(condition, key, next)));
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <div className="editor-row" key={index} data-condition={index}>
            <PathInput
              label={`Condition ${n} field`}
              value={String(condition.path ?? "")}
              onChange={(path) => set("path", path)}
              fieldsListId={fieldsListId}
            />
            <select
              aria-label={`Condition ${n} operator`}
              value={op}
              onChange={(e) => {
                const next = withKey(condition, "op", e.target.value);
                onChange(
                  replaced(conditions, index, UNARY.has(e.target.value) ? withKey(next, "value", undefined) : next),
                );
              }}
            >
              {operators.map((operator) => (
                <option key={operator} value={operator}>
                  {operatorWords(operator)}
                </option>
              ))}
            </select>
            {UNARY.has(op) ? (
              <span className="muted small-text grow">(no value)</span>
            ) : (
              <AnyValueInput
                label={`Condition ${n} value`}
                value={condition.value}
                onChange={(next) => set("value", next)}
                placeholder={op === "in" ? '["a", "b"]' : op === "matches" ? "a regular expression" : "a value"}
              />
            )}
            <button type="button" className="small danger" onClick={() => onChange(removed(conditions, index))}>
              Remove
            </button>
          </div>
        );
      })}
      <button type="button" className="small" onClick={() => onChange([...conditions, emptyValue(item)])}>
        Add condition
      </button>
    </div>
  );
}
