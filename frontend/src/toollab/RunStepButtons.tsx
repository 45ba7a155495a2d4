import { useMutation, useQueryClient } from "@tanstack/react-query";

import { hopAllows, isAllowed, performTransition, TRANSITIONS, type TransitionName } from "../api/transitions.gen";
import type { HopStatus, ToolStep } from "../api/types.gen";
import { ErrorBanner } from "../ui/ErrorBanner";
import { problemOf } from "../ui/problem";
import { refreshMission } from "../workflow/refresh";

const RUNS = ["run_tool_step", "run_from_tool_step"] as const satisfies readonly TransitionName[];

/** "Run this step" and "Run from here" (2.7b, 2.7c), offered where the transition table
 * allows them: the step's and its hop's statuses, and every earlier step completed. */
export function RunStepButtons({
  missionId,
  step,
  steps,
  hopStatus,
}: {
  missionId: string;
  step: ToolStep;
  steps: ToolStep[];
  hopStatus: HopStatus;
}) {
  const queryClient = useQueryClient();
  const run = useMutation({
    mutationFn: (name: (typeof RUNS)[number]) => performTransition[name](step.id),
    onSettled: () => refreshMission(queryClient, missionId),
  });
  const earlierDone = steps
    .filter((other) => other.sequence_order < step.sequence_order)
    .every((other) => other.status === TRANSITIONS.complete_tool_step.target);
  const offered = RUNS.filter(
    (name) => earlierDone && isAllowed(name, "tool_step", step.status) && hopAllows(name, hopStatus),
  );
  if (offered.length === 0) return null;
  return (
    <div className="form-actions step-runs">
      {offered.map((name) => (
        <button
          key={name}
          type="button"
          className="small"
          disabled={run.isPending}
          onClick={() => run.mutate(name)}
          title={TRANSITIONS[name].summary}
        >
          {TRANSITIONS[name].label}
        </button>
      ))}
      <ErrorBanner problem={problemOf(run.error)} />
    </div>
  );
}
