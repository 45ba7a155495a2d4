import { TRANSITIONS } from "../api/transitions.gen";
import { type ButtonTransition, isUndoing } from "./actions";

/** One button per transition, labelled as the transition table says. */
export function TransitionButtons({
  names,
  busy,
  onPerform,
}: {
  names: readonly ButtonTransition[];
  busy: boolean;
  onPerform: (name: ButtonTransition) => void;
}) {
  return (
    <div className="row actions">
      {names.map((name) => (
        <button
          key={name}
          type="button"
          className={isUndoing(name) ? "danger" : "primary"}
          onClick={() => onPerform(name)}
          disabled={busy}
        >
          {TRANSITIONS[name].label}
        </button>
      ))}
    </div>
  );
}
