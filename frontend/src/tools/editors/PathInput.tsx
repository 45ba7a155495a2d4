/** A path into an item (`score`, `author.name`), offered the input's fields from a datalist. */
export function PathInput({
  value,
  onChange,
  label,
  fieldsListId,
  placeholder = "a field, e.g. score",
}: {
  value: string;
  onChange: (value: string) => void;
  label: string;
  fieldsListId: string | undefined;
  placeholder?: string;
}) {
  return (
    <input
      className="path-input"
      aria-label={label}
      value={value}
      list={fieldsListId}
      placeholder={placeholder}
      autoComplete="off"
      onChange={(e) => onChange(e.target.value)}
    />
  );
}

/** The datalist of an input's fields that path inputs point to. */
export function FieldList({ id, fields }: { id: string; fields: readonly string[] }) {
  return (
    <datalist id={id}>
      {fields.map((field) => (
        <option key={field} value={field} />
      ))}
    </datalist>
  );
}
