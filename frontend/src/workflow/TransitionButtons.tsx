import { useId, useRef, useState } from "react";

import { TRANSITIONS, type TransitionRule } from "../api/transitions.gen";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { type Action, type ButtonTransition, isUndoing, needsConfirmation, primaryAction } from "./actions";
import { keepFocusIn } from "./focus";

/** One button per transition, labelled as the transition table says: the next step of the
 * workflow is the primary button, what stops or undoes work a danger button; a button that
 * cannot be taken now says why (its description, shown under the buttons). What finishes a
 * mission or session for good asks for confirmation first. After an action the focus stays
 * where the person was (`keepFocusIn`). */
export function TransitionButtons({
  actions,
  subject,
  busy,
  onPerform,
  confirmAlso = [],
}: {
  actions: readonly Action[];
  /** What the buttons act on, for the confirmation: `the mission “Rank records”`. */
  subject: string;
  busy: boolean;
  onPerform: (name: ButtonTransition) => Promise<unknown>;
  /** Transitions that also finish the mission here (the final hop's completion). */
  confirmAlso?: readonly ButtonTransition[];
}) {
  const [confirming, setConfirming] = useState<ButtonTransition | null>(null);
  const row = useRef<HTMLDivElement>(null);
  const idBase = useId();
  const primary = primaryAction(actions);

  const perform = (name: ButtonTransition) => {
    const restore = keepFocusIn(row.current);
    onPerform(name).then(restore, () => undefined);
  };
  const choose = (name: ButtonTransition) => {
    if (needsConfirmation(name, confirmAlso.includes(name))) setConfirming(name);
    else perform(name);
  };
  const reasons = actions.filter((action) => action.disabledReason !== null);
  const rule: TransitionRule | null = confirming ? TRANSITIONS[confirming] : null;

  return (
    <div className="transition-buttons" ref={row}>
      <div className="row actions">
        {actions.map(({ name, disabledReason }) => {
          const unavailable = busy || disabledReason !== null;
          return (
            <button
              key={name}
              type="button"
              className={isUndoing(name) ? "danger" : name === primary ? "primary" : undefined}
              data-transition={name}
              // aria-disabled keeps the button focusable (and its reason readable) where
              // `disabled` would drop the focus to the page.
              aria-disabled={unavailable || undefined}
              aria-describedby={disabledReason ? `${idBase}-${name}` : undefined}
              title={disabledReason ?? undefined}
              onClick={() => {
                if (!unavailable) choose(name);
              }}
            >
              {TRANSITIONS[name].label}
            </button>
          );
        })}
      </div>
      {reasons.length > 0 && (
        <ul className="action-reasons">
          {reasons.map(({ name, disabledReason }) => (
            <li key={name} id={`${idBase}-${name}`}>
              <strong>{TRANSITIONS[name].label}:</strong> {disabledReason}
            </li>
          ))}
        </ul>
      )}
      {confirming && rule && (
        <ConfirmDialog
          title={`${rule.label}?`}
          confirmLabel={rule.label}
          danger={rule.undoes}
          onConfirm={() => perform(confirming)}
          onClose={() => setConfirming(null)}
        >
          <p>
            {rule.label} {subject}: {rule.summary}
          </p>
          <p>
            <strong>This cannot be undone.</strong>
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
