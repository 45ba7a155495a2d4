import { useCallback, useRef, useState, type ReactNode } from "react";

import { fieldPath, fieldReason, readableReason, toProblem, type Problem } from "../lib/errors";
import { statusLabel } from "../lib/format";

/** A status value as a coloured badge; the colour follows the value's meaning. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}

/** Text with `code` spans, as the server writes names and values in its messages. */
export function RichText({ text }: { text: string }) {
  const parts = text.split(/(`[^`]*`)/g);
  return (
    <>
      {parts.map((part, index) =>
        part.startsWith("`") && part.endsWith("`") && part.length > 1 ? <code key={index}>{part.slice(1, -1)}</code> : part,
      )}
    </>
  );
}

/** The server's message for a refused request, and the field errors no field shows itself. */
export function ErrorBanner({ problem, shownFields = [], onDismiss }: { problem: Problem | null; shownFields?: string[]; onDismiss?: () => void }) {
  if (!problem) return null;
  const rest = problem.errors.filter((error) => !shownFields.includes(fieldPath(error)));
  // When every reason sits next to its field, the banner only points at them.
  const message = problem.errors.length > 0 && rest.length === 0 ? "Please correct the fields marked below." : problem.message;
  return (
    <div className="error-banner" role="alert">
      <div className="error-message">
        <span>
          <RichText text={message} />
        </span>
        {onDismiss && (
          <button type="button" className="link dismiss" onClick={onDismiss} aria-label="Dismiss">
            ×
          </button>
        )}
      </div>
      {rest.length > 0 && !(rest.length === 1 && message.includes(rest[0]?.reason ?? "")) && (
        <ul className="error-list">
          {rest.map((error, index) => (
            <li key={index}>
              {fieldPath(error) && <code>{fieldPath(error)}</code>} <RichText text={error.reason} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

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
  children: ReactNode;
  hint?: string;
  /** What to say when the value does not have the form the server expects. */
  formMessage?: string;
}) {
  const reason = fieldReason(problem, path);
  return (
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

/** Runs one request at a time for a screen: `busy` while it runs, `problem` when refused. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const running = useRef(false);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    setBusy(true);
    setProblem(null);
    try {
      return await action();
    } catch (caught) {
      setProblem(toProblem(caught));
      return undefined;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  return { busy, problem, setProblem, run };
}
