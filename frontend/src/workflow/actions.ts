import {
  allowedTransitions,
  type EntityStatus,
  performTransition,
  stepsAllow,
  TRANSITIONS,
  type TransitionName,
  type TransitionRule,
} from "../api/transitions.gen";
import { type MissionStatus, type ToolExecutionStatus, WorkflowEntity } from "../api/types.gen";
import { TOOL_EXECUTION_STATUS_LABELS } from "../ui/labels";

/** The transitions a person can perform: those with a route (the others only the server does). */
type Routed = keyof typeof performTransition;

/** Routed transitions performed by a button: their client function takes no request body. */
export type ButtonTransition = {
  [N in Routed]: undefined extends Parameters<(typeof performTransition)[N]>[1] ? N : never;
}[Routed];

/** Routed transitions performed by a form: the person writes their request body. */
export type FormTransition = Exclude<Routed, ButtonTransition>;

/** The transitions the SPA performs with a form of its own. */
const FORMS = [
  "propose_mission",
  "propose_hop_plan",
  "propose_hop_implementation",
  "configure_tool_step",
] as const satisfies readonly FormTransition[];

/** Fails to compile when the server adds a transition that takes a body and no form is listed for it. */
export type EveryFormListed = NeverOr<Exclude<FormTransition, (typeof FORMS)[number]>>;
type NeverOr<T extends never> = T;

function isButton(name: TransitionName): name is ButtonTransition {
  const rule: TransitionRule = TRANSITIONS[name];
  return rule.route !== null && rule.route.body === null && name in performTransition;
}

/** Whether a transition stops or undoes work (its button is a danger button, shown last). */
export function isUndoing(name: TransitionName): boolean {
  const rule: TransitionRule = TRANSITIONS[name];
  return rule.undoes;
}

/** Whether the steps of a hop let the person take `name` (its `steps_require`). Steps that only
 * the server moves on (running, queued) hide it; a step the person can still settle (one
 * waiting for its configuration) does not: the server's refusal then says what is missing. */
function stepsPermit(name: TransitionName, steps: readonly ToolExecutionStatus[]): boolean {
  if (stepsAllow(name, steps)) return true;
  const rule: TransitionRule = TRANSITIONS[name];
  return steps
    .filter((status) => !rule.steps_require.includes(status))
    .every((status) => allowedTransitions("tool_step", status).some((step) => TRANSITIONS[step].route !== null));
}

/** Why the steps of a hop keep it from `name`, in words, or null when they do not. */
function stepsReason(name: TransitionName, steps: readonly ToolExecutionStatus[]): string | null {
  if (stepsAllow(name, steps)) return null;
  const rule: TransitionRule = TRANSITIONS[name];
  const blocking = steps.filter((status) => !rule.steps_require.includes(status));
  if (blocking.length === 0) return "The hop has no steps yet.";
  // Steps the person settles themselves (their configuration), as the table says.
  const waiting = blocking.filter((status) =>
    allowedTransitions("tool_step", status).some((step) => TRANSITIONS[step].route !== null),
  ).length;
  if (waiting === blocking.length) {
    return waiting === 1
      ? "One step needs its configuration: save it below first."
      : `${waiting} steps need their configuration: save it below first.`;
  }
  const wanted = rule.steps_require.map((status) => `“${TOOL_EXECUTION_STATUS_LABELS[status]}”`).join(" or ");
  return `Every step must be ${wanted} first.`;
}

/** A button of an entity: the transition, and why it cannot be taken now (null: it can). */
export interface Action {
  name: ButtonTransition;
  disabledReason: string | null;
}

/** Why a transition the status allows cannot be taken now (its `condition`), or null. */
export type Blocker = (name: ButtonTransition) => string | null;

/** The buttons for an entity in `status`, from the transition table: the routed transitions
 * it allows that take no body, those that stop or undo work last. For a hop, `steps` are its
 * steps' statuses; a transition they keep from it is disabled with the reason, as is one
 * `blocker` names a reason for. */
export function buttonActions<E extends keyof EntityStatus>(
  entity: E,
  status: EntityStatus[E],
  steps: readonly ToolExecutionStatus[] = [],
  blocker: Blocker = () => null,
): Action[] {
  const names = allowedTransitions(entity, status)
    .filter(isButton)
    .filter((name) => stepsPermit(name, steps));
  return [...names.filter((name) => !isUndoing(name)), ...names.filter(isUndoing)].map((name) => ({
    name,
    disabledReason: stepsReason(name, steps) ?? blocker(name),
  }));
}

/** The names of {@link buttonActions} that can be taken now. */
export function buttonTransitions<E extends keyof EntityStatus>(
  entity: E,
  status: EntityStatus[E],
  steps: readonly ToolExecutionStatus[] = [],
): ButtonTransition[] {
  return buttonActions(entity, status, steps)
    .filter((action) => action.disabledReason === null)
    .map((action) => action.name);
}

/** Whether the status `name` leads to is one no transition leaves (it finishes its entity). */
export function finishes(name: TransitionName): boolean {
  const rule: TransitionRule = TRANSITIONS[name];
  if (rule.creates !== null) return false;
  return allowedTransitions(rule.entity as keyof EntityStatus, rule.target as never).length === 0;
}

/** The next step of the workflow among `actions`: the one that finishes the entity when it
 * can be taken (a mission whose outputs are ready is completed next), else the first that
 * moves the work forward, in the table's order. Stopping or undoing work is never the next step. */
export function primaryAction(actions: readonly Action[]): ButtonTransition | null {
  const forward = actions.filter((action) => action.disabledReason === null && !isUndoing(action.name));
  return (forward.find((action) => finishes(action.name)) ?? forward[0])?.name ?? null;
}

/** Whether `name` asks for confirmation: it finishes a mission or a session for good
 * (complete, cancel, archive), or finishes a mission as its effect (`alsoFinishesMission`:
 * the caller knows when, like the final hop's completion). */
export function needsConfirmation(name: TransitionName, alsoFinishesMission = false): boolean {
  const rule: TransitionRule = TRANSITIONS[name];
  if (finishes(name) && (rule.entity === WorkflowEntity.MISSION || rule.entity === WorkflowEntity.SESSION)) return true;
  return (
    alsoFinishesMission &&
    rule.effects.some(
      (effect) =>
        effect.entity === WorkflowEntity.MISSION &&
        allowedTransitions("mission", effect.target as MissionStatus).length === 0,
    )
  );
}

/** Whether no transition leaves `status`: the entity is finished (done or stopped). */
export function isFinished<E extends keyof EntityStatus>(entity: E, status: EntityStatus[E]): boolean {
  return allowedTransitions(entity, status).length === 0;
}
