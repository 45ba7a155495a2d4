import { useEffect, useState } from "react";

/** How a typed text is read: JSON when it is JSON (`3`, `true`, `["a", "b"]`, `"3"`), else
 * the text itself. */
export function readAny(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The text a value is shown as: a string as it is unless it would read back as something
 * else (`"3"` stays quoted). */
export function showAny(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return readAny(value) === value ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

function kindOf(value: unknown): string {
  if (value === undefined) return "no value";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `a ${typeof value === "string" ? "text" : typeof value}`;
}

/** A value of any type in one input, its reading said next to it (a number, a text, a list). */
export function AnyValueInput({
  value,
  onChange,
  label,
  placeholder,
}: {
  value: unknown;
  onChange: (value: unknown) => void;
  label: string;
  placeholder?: string;
}) {
  const [text, setText] = useState(() => showAny(value));
  // Keep the text as typed while it reads as the same value; follow a value changed elsewhere.
  useEffect(() => {
    setText((typed) => (JSON.stringify(readAny(typed)) === JSON.stringify(value) ? typed : showAny(value)));
  }, [value]);
  return (
    <span className="any-value">
      <input
        aria-label={label}
        value={text}
        placeholder={placeholder}
        onChange={(e) => {
          setText(e.target.value);
          onChange(readAny(e.target.value));
        }}
      />
      <span className="muted small-text any-kind">{kindOf(readAny(text))}</span>
    </span>
  );
}
