import type { ReactNode } from "react";

import { fieldReason, type Problem, readableReason } from "./problem";
import { RichText } from "./RichText";

/** A labelled form field with the server's reason shown under it when it refused the value. */
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
  const reason = fieldReason(problem, path);
  return (
    // biome-ignore lint/a11y/noLabelWithoutControl: the control is `children`, wrapped by the label
    <label className={`field${reason ? " field-invalid" : ""}`}>
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
