import { AnyValueInput } from "./AnyValueInput";
import { ConditionBuilder } from "./ConditionBuilder";
import { FieldMapEditor } from "./FieldMapEditor";
import { PathInput } from "./PathInput";
import { asList, asObject, removed, replaced, withKey } from "./rows";
import { SortKeysEditor } from "./SortKeysEditor";
import { editorKind, emptyValue, isPathName, type JsonSchema, schemaOf, typeOf } from "./schema";

export interface EditorProps {
  schema: JsonSchema;
  value: unknown;
  onChange: (value: unknown) => void;
  /** What the value is called, for its label: a parameter's or a property's name. */
  name: string;
  /** Whether the value may be left out (an optional property): a choice of "not set". */
  optional: boolean;
  fieldsListId: string | undefined;
  /** The parameter's description, when the schema has none of its own. */
  description?: string | null;
}

/** An editor generated from a JSON Schema: the structured editors for conditions, sort keys
 * and field maps, and for anything else an input by type (text, number, yes/no, one of a
 * list), a list of items, or an object's properties. */
export function ValueEditor(props: EditorProps) {
  const { schema, value, onChange, name, optional, fieldsListId } = props;
  const kind = editorKind(schema);
  switch (kind) {
    case "conditions":
      return <ConditionBuilder schema={schema} value={value} onChange={onChange} fieldsListId={fieldsListId} />;
    case "sortKeys":
      return <SortKeysEditor value={value} onChange={onChange} fieldsListId={fieldsListId} />;
    case "fieldMap": {
      const about = `${schema.description ?? ""} ${props.description ?? ""}`;
      return (
        <FieldMapEditor
          value={value}
          onChange={onChange}
          fieldsListId={fieldsListId}
          valuesArePaths={/\bpath\b/i.test(about) && !/in words/i.test(about)}
          valueLabel={/in words/i.test(about) ? "description" : "path"}
        />
      );
    }
    case "enum":
      return (
        <select
          aria-label={name}
          value={value === undefined ? "" : JSON.stringify(value)}
          onChange={(e) => onChange(e.target.value === "" ? undefined : JSON.parse(e.target.value))}
        >
          {(optional || value === undefined) && <option value="">{optional ? "not set" : "Choose…"}</option>}
          {(schema.enum ?? []).map((option) => (
            <option key={JSON.stringify(option)} value={JSON.stringify(option)}>
              {typeof option === "string" ? option : JSON.stringify(option)}
            </option>
          ))}
        </select>
      );
    case "string":
      return isPathName(name) ? (
        <PathInput
          label={name}
          value={typeof value === "string" ? value : ""}
          onChange={onChange}
          fieldsListId={fieldsListId}
        />
      ) : (
        <input
          aria-label={name}
          value={typeof value === "string" ? value : ""}
          maxLength={schema.maxLength}
          onChange={(e) => onChange(optional && e.target.value === "" ? undefined : e.target.value)}
        />
      );
    case "number":
      return (
        <input
          aria-label={name}
          type="number"
          className="number-input"
          value={typeof value === "number" ? String(value) : ""}
          min={schema.minimum}
          max={schema.maximum}
          step={typeOf(schema) === "integer" ? 1 : "any"}
          placeholder={schema.default !== undefined ? `default ${String(schema.default)}` : undefined}
          onChange={(e) => onChange(e.target.value === "" ? undefined : Number(e.target.value))}
        />
      );
    case "boolean":
      return (
        <label className="checkbox inline-check">
          <input
            type="checkbox"
            aria-label={name}
            checked={value === undefined ? schema.default === true : value === true}
            onChange={(e) => onChange(e.target.checked)}
          />
          {value === undefined ? "not set" : value ? "yes" : "no"}
        </label>
      );
    case "array":
      return <ListEditor {...props} />;
    case "object":
      return schema.properties ? (
        <ObjectEditor {...props} />
      ) : (
        <AnyValueInput label={name} value={value} onChange={onChange} placeholder='{"key": "value"}' />
      );
    case "any":
      return <AnyValueInput label={name} value={value} onChange={onChange} />;
  }
}

function ListEditor({ schema, value, onChange, name, fieldsListId }: EditorProps) {
  const items = asList(value);
  const item = schemaOf(Array.isArray(schema.items) ? undefined : schema.items);
  const full = schema.maxItems !== undefined && items.length >= schema.maxItems;
  return (
    <div className="structured list-editor">
      {items.length === 0 && <p className="muted small-text">Empty list.</p>}
      {items.map((entry, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: items have no identity but their place
        <div className="editor-row" key={index} data-item={index}>
          <ValueEditor
            schema={item}
            value={entry}
            onChange={(next) => onChange(replaced(items, index, next))}
            name={`${name} ${index + 1}`}
            optional={false}
            fieldsListId={fieldsListId}
          />
          <button type="button" className="small danger" onClick={() => onChange(removed(items, index))}>
            Remove
          </button>
        </div>
      ))}
      <button
        type="button"
        className="small"
        disabled={full}
        onClick={() => onChange([...items, emptyValue(item)])}
        aria-label={`Add to ${name}`}
      >
        Add
      </button>
    </div>
  );
}

function ObjectEditor({ schema, value, onChange, name, fieldsListId }: EditorProps) {
  const object = asObject(value);
  const required = new Set(schema.required ?? []);
  return (
    <div className="structured object-editor">
      {Object.entries(schema.properties ?? {}).map(([key, definition]) => {
        const property = schemaOf(definition);
        return (
          <div className="object-property" key={key} data-property={key}>
            <span className="property-name">
              {key}
              {required.has(key) && (
                <span className="required" title="required">
                  *
                </span>
              )}
            </span>
            <ValueEditor
              schema={property}
              value={object[key]}
              onChange={(next) => onChange(withKey(object, key, next))}
              name={`${name} ${key}`}
              optional={!required.has(key)}
              fieldsListId={fieldsListId}
            />
          </div>
        );
      })}
    </div>
  );
}
