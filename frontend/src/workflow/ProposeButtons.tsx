import { type FormEvent, useId } from "react";

import { TRANSITIONS } from "../api/transitions.gen";
import type { FormTransition } from "./actions";

/** The label of the button that proposes and accepts in one action. */
export const SAVE_AND_ACCEPT = "Save and accept";

/** Whether the form was sent with {@link ProposeButtons}' “Save and accept”. */
export function wantsAccept(event: FormEvent<HTMLFormElement>): boolean {
  const submitter = (event.nativeEvent as SubmitEvent).submitter;
  return submitter instanceof HTMLButtonElement && submitter.value === "accept";
}

/** The submit buttons of a person's own proposal: “Save and accept”, the next step, performs
 * the proposal and its acceptance in sequence (two transitions); the other only proposes, to
 * decide later. (The assistant's proposals are accepted on their cards, never this way.) */
export function ProposeButtons({
  propose,
  busy,
  unavailable = null,
}: {
  propose: FormTransition;
  busy: boolean;
  /** Why the proposal cannot be sent yet (the buttons say so), or null. */
  unavailable?: string | null;
}) {
  const reasonId = useId();
  const off = busy || unavailable !== null || undefined;
  const describedBy = unavailable ? reasonId : undefined;
  return (
    <>
      <div className="row actions">
        <button
          type="submit"
          className="primary"
          name="then"
          value="accept"
          aria-disabled={off}
          aria-describedby={describedBy}
        >
          {SAVE_AND_ACCEPT}
        </button>
        <button type="submit" name="then" value="propose" aria-disabled={off} aria-describedby={describedBy}>
          {TRANSITIONS[propose].label}
        </button>
      </div>
      {unavailable && (
        <p className="action-reasons" id={reasonId}>
          {unavailable}
        </p>
      )}
    </>
  );
}
