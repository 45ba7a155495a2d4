import { type ReactNode, useState } from "react";

import { fieldReason, type Problem, readableReason } from "./problem";
import { RichText } from "./RichText";

/** A labelled form field with the server's reason shown under it when it refused the value,
 * until the person changes the value. */
export function Field({
  label,
  problem,
  path,
  children,
  hint,
  formMessage,
}: {
  label: string;
  problem: Problem | null;
  path: string;
  /** The control: the label wraps it, so the label names it. */
  children: ReactNode;
  hint?: string;
  /** What to say when the value does not have the form the server expects. */
  formMessage?: string;
}) {
  // Once the person changes the value, the reason for the old one no longer shows.
  const [changedAfter, setChangedAfter] = useState<Problem | null>(null);
  const reason = changedAfter !== null && changedAfter === problem ? null : fieldReason(problem, path);
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is `children`, wrapped by the label
    <label
      className={`field${reason ? " field-invalid" : ""}`}
      onInput={() => {
        if (reason) setChangedAfter(problem);
      }}
    >
      <span className="field-label">{label}</span>
      {children}
      {hint && !reason && <span className="field-hint">{hint}</span>}
      {reason && (
        <span className="field-error" data-field={path} title={reason}>
          <RichText text={readableReason(reason, formMessage)} />
        </span>
      )}
    </label>
  );
}
