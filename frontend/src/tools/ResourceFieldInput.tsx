import type { ResourceField } from "../api/types.gen";

/** One field of a tool's resource: a labelled input, masked when the field is secret. */
export function ResourceFieldInput({
  name,
  field,
  value,
  placeholder,
  onChange,
}: {
  name: string;
  field: ResourceField;
  value: string;
  placeholder: string;
  onChange: (text: string) => void;
}) {
  return (
    <label className="field inline">
      <span className="field-label">
        {field.name}
        {field.required && <span className="required">*</span>}
      </span>
      <input
        name={name}
        type={field.secret ? "password" : "text"}
        autoComplete="off"
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
    </label>
  );
}
