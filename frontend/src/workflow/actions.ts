import {
  allowedTransitions,
  type EntityStatus,
  performTransition,
  stepsAllow,
  TRANSITIONS,
  type TransitionName,
  type TransitionRule,
} from "../api/transitions.gen";
import type { ToolExecutionStatus } from "../api/types.gen";

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

/** The buttons for an entity in `status`, from the transition table: the routed transitions
 * it allows that take no body, those that stop or undo work last. For a hop, `steps` are its
 * steps' statuses. */
export function buttonTransitions<E extends keyof EntityStatus>(
  entity: E,
  status: EntityStatus[E],
  steps: readonly ToolExecutionStatus[] = [],
): ButtonTransition[] {
  const names = allowedTransitions(entity, status)
    .filter(isButton)
    .filter((name) => stepsPermit(name, steps));
  return [...names.filter((name) => !isUndoing(name)), ...names.filter(isUndoing)];
}

/** Whether no transition leaves `status`: the entity is finished (done or stopped). */
export function isFinished<E extends keyof EntityStatus>(entity: E, status: EntityStatus[E]): boolean {
  return allowedTransitions(entity, status).length === 0;
}
