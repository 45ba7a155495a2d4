import { AssetRole, VALUE_TYPE_VALUES, type ValueType } from "../api/types.gen";
import { Field } from "../ui/Field";
import type { Problem } from "../ui/problem";
import { type AssetDraft, parseJson } from "./draft";

/** The fields of one asset: name, type (from the ValueType enum), list or single value, and
 * for inputs its content as JSON. `path` is where the server reports its errors. */
export function AssetFields({
  draft,
  onChange,
  problem,
  path,
  withRole,
  withContent,
}: {
  draft: AssetDraft;
  onChange: (draft: AssetDraft) => void;
  problem: Problem | null;
  path: string;
  withRole: boolean;
  withContent: boolean;
}) {
  const content = parseJson(draft.contentText);
  return (
    <div className="asset-fields">
      <Field label="Name" problem={problem} path={`${path}.name`}>
        <input name="asset-name" value={draft.name} onChange={(e) => onChange({ ...draft, name: e.target.value })} />
      </Field>
      {withRole && (
        <Field label="Role" problem={problem} path={`${path}.role`}>
          <select
            name="asset-role"
            value={draft.role}
            onChange={(e) => onChange({ ...draft, role: e.target.value as AssetRole })}
          >
            <option value={AssetRole.INPUT}>input</option>
            <option value={AssetRole.OUTPUT}>output</option>
          </select>
        </Field>
      )}
      <Field label="Type" problem={problem} path={`${path}.schema_definition.type`}>
        <select
          name="asset-type"
          value={draft.type}
          onChange={(e) => onChange({ ...draft, type: e.target.value as ValueType })}
        >
          {VALUE_TYPE_VALUES.map((value) => (
            <option key={value} value={value}>
              {value.replace(/_/g, " ")}
            </option>
          ))}
        </select>
      </Field>
      <label className="checkbox">
        <input
          name="asset-is-array"
          type="checkbox"
          checked={draft.isArray}
          onChange={(e) => onChange({ ...draft, isArray: e.target.checked })}
        />
        a list
      </label>
      <Field label="Description" problem={problem} path={`${path}.description`}>
        <input
          name="asset-description"
          value={draft.description}
          onChange={(e) => onChange({ ...draft, description: e.target.value })}
          placeholder="Optional"
        />
      </Field>
      {withContent && draft.role === AssetRole.INPUT && (
        <Field
          label="Content (JSON)"
          problem={problem}
          path={`${path}.content`}
          hint="Optional: the input's data, as JSON."
        >
          <textarea
            name="asset-content"
            className="mono"
            rows={3}
            value={draft.contentText}
            onChange={(e) => onChange({ ...draft, contentText: e.target.value })}
            placeholder='[{"title": "A", "score": 2}]'
          />
          {!content.ok && <span className="field-error">Content is {content.reason}</span>}
        </Field>
      )}
    </div>
  );
}
