import type { Mission } from "../api/types.gen";
import { type ButtonTransition, buttonTransitions, isFinished } from "../workflow/actions";

/** What a transition's `condition` asks of the mission beyond its status, where the mission
 * shows it. */
const CONDITIONS: Partial<Record<ButtonTransition, (mission: Mission) => boolean>> = {
  // "the mission has no unfinished current hop"
  start_hop_plan: (mission) => mission.current_hop === null || isFinished("hop", mission.current_hop.status),
};

/** The mission's buttons: what the transition table allows in its status and its conditions. */
export function missionActions(mission: Mission): ButtonTransition[] {
  return buttonTransitions("mission", mission.status).filter((name) => CONDITIONS[name]?.(mission) ?? true);
}
