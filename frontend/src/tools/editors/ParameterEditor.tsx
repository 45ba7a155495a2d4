import type { ToolParameter } from "../../api/types.gen";
import { PathInput } from "./PathInput";
import { asSchema, editorKind, isPathName } from "./schema";
import { ValueEditor } from "./ValueEditor";

export type EditMode = "form" | "json";

/** The value a literal's text stands for: plain text for a text parameter, else JSON (an
 * empty text is no value; JSON that does not parse is null here and reported by the caller). */
export function literalValue(text: string, textual: boolean): { ok: boolean; value: unknown } {
  if (textual) return { ok: true, value: text === "" ? undefined : text };
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, value: undefined };
  }
}

/** The text kept for a value: as it is for a text parameter, else JSON. */
export function literalText(value: unknown, textual: boolean): string {
  if (value === undefined) return "";
  if (textual) return typeof value === "string" ? value : String(value);
  return JSON.stringify(value);
}

/** A literal parameter value, edited in a form generated from the parameter's JSON Schema,
 * or as JSON (a switch away; both edit the same text). A text parameter is a text input, or
 * a choice when its schema lists the values. */
export function ParameterEditor({
  parameter,
  textual,
  text,
  mode,
  onChange,
  fieldsListId,
}: {
  parameter: ToolParameter;
  textual: boolean;
  text: string;
  mode: EditMode;
  onChange: (text: string, mode: EditMode) => void;
  fieldsListId: string | undefined;
}) {
  const schema = asSchema(parameter.json_schema);
  const label = `${parameter.name} value`;

  if (textual) {
    if (editorKind(schema) === "enum") {
      return (
        <select name="param-literal" aria-label={label} value={text} onChange={(e) => onChange(e.target.value, mode)}>
          {(text === "" || !parameter.required) && (
            <option value="">{parameter.required ? "Choose…" : "default"}</option>
          )}
          {(schema.enum ?? []).map((option) => (
            <option key={String(option)} value={String(option)}>
              {String(option)}
            </option>
          ))}
        </select>
      );
    }
    return isPathName(parameter.name) ? (
      <PathInput label={label} value={text} onChange={(next) => onChange(next, mode)} fieldsListId={fieldsListId} />
    ) : (
      <input
        name="param-literal"
        aria-label={label}
        value={text}
        onChange={(e) => onChange(e.target.value, mode)}
        placeholder="text"
      />
    );
  }

  const parsed = literalValue(text, false);
  return (
    <div className="parameter-editor" data-mode={mode}>
      {/* biome-ignore lint/a11y/useSemanticElements: a pair of toggle buttons, not a form's fieldset */}
      <div className="view-switch edit-switch" role="group" aria-label={`Edit ${parameter.name} as`}>
        <button type="button" className="small" aria-pressed={mode === "form"} onClick={() => onChange(text, "form")}>
          Form
        </button>
        <button type="button" className="small" aria-pressed={mode === "json"} onClick={() => onChange(text, "json")}>
          JSON
        </button>
      </div>
      {mode === "json" ? (
        <textarea
          name="param-literal"
          aria-label={`${label} (JSON)`}
          className="mono"
          rows={2}
          value={text}
          onChange={(e) => onChange(e.target.value, mode)}
          placeholder='JSON, e.g. [{"path": "score"}]'
        />
      ) : parsed.ok ? (
        <ValueEditor
          schema={schema}
          value={parsed.value}
          onChange={(value) => onChange(literalText(value, false), mode)}
          name={parameter.name}
          optional={!parameter.required}
          fieldsListId={fieldsListId}
          description={parameter.description}
        />
      ) : (
        <p className="field-error">
          This value is not valid JSON, so the form cannot show it.{" "}
          <button type="button" className="link small" onClick={() => onChange(text, "json")}>
            Edit it as JSON
          </button>
        </p>
      )}
    </div>
  );
}
