import type { FieldError } from "../../api/types.gen";
import { ErrorBanner } from "../../ui/ErrorBanner";
import { keyedTexts } from "../../ui/keys";
import type { Problem } from "../../ui/problem";
import { RichText } from "../../ui/RichText";

/** What is known of the chain typed so far: mistakes caught before asking the server (`local`),
 * or the server's dry run: still `checking`, refused (`problem`), or its `errors` (none: valid). */
export function ChainCheck({
  hasSteps,
  local,
  checking,
  problem,
  errors,
}: {
  hasSteps: boolean;
  local: string[];
  checking: boolean;
  problem: Problem | null;
  errors: FieldError[] | undefined;
}) {
  if (!hasSteps) return <p className="muted chain-check">Add the tools that produce the hop’s output, in order.</p>;
  if (local.length === 0) {
    if (checking) {
      return (
        <p className="chain-check muted" data-check="checking">
          Checking the chain…
        </p>
      );
    }
    if (problem) return <ErrorBanner problem={problem} />;
    if (errors === undefined) return null;
  }
  const all = [...local, ...(local.length > 0 ? [] : (errors ?? []).map((error) => error.reason))];
  if (all.length === 0) {
    return (
      <p className="chain-check ok" data-check="valid">
        ✓ The chain is valid
      </p>
    );
  }
  return (
    <div className="chain-check invalid" data-check="invalid" aria-live="polite">
      <p>
        {all.length} problem{all.length === 1 ? "" : "s"} in the chain:
      </p>
      <ul className="chain-errors">
        {keyedTexts(all).map(([key, reason]) => (
          <li key={key}>
            <RichText text={reason} />
          </li>
        ))}
      </ul>
    </div>
  );
}
