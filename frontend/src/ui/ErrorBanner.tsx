import { keyed } from "./keys";
import { fieldPath, type Problem } from "./problem";
import { RichText } from "./RichText";

/** The server's message for a refused request, and the field errors no field shows itself. */
export function ErrorBanner({
  problem,
  shownFields = [],
  onDismiss,
}: {
  problem: Problem | null;
  shownFields?: string[];
  onDismiss?: () => void;
}) {
  if (!problem) return null;
  const rest = problem.errors.filter((error) => !shownFields.includes(fieldPath(error)));
  // When every reason sits next to its field, the banner only points at them.
  const message =
    problem.errors.length > 0 && rest.length === 0 ? "Please correct the fields marked below." : problem.message;
  const listed = rest.length > 0 && !(rest.length === 1 && message.includes(rest[0]?.reason ?? ""));
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
      {problem.hint && <p className="error-hint">{problem.hint}</p>}
      {listed && (
        <ul className="error-list">
          {keyed(rest, (error) => `${error.field}: ${error.reason}`).map(([key, error]) => (
            <li key={key}>
              {fieldPath(error) && <code>{fieldPath(error)}</code>} <RichText text={error.reason} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
