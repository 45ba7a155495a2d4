import { type AssetInfo, AssetStatus, type Mission } from "../api/types.gen";
import { type Action, type ButtonTransition, buttonActions, isFinished } from "../workflow/actions";

/** The outputs of the mission that are not ready yet, by name (those not read yet left out). */
export function unreadyOutputs(mission: Mission, assets: Map<string, AssetInfo>): string[] {
  return mission.asset_summary.outputs
    .map((id) => assets.get(id))
    .filter((asset): asset is AssetInfo => asset !== undefined && asset.status !== AssetStatus.READY)
    .map((asset) => asset.name);
}

/** Quoted names joined for a sentence: “a”, “b” and “c”. */
function names(list: readonly string[]): string {
  const quoted = list.map((name) => `“${name}”`);
  return quoted.length <= 1 ? (quoted[0] ?? "") : `${quoted.slice(0, -1).join(", ")} and ${quoted.at(-1)}`;
}

/** What a transition's `condition` asks of the mission beyond its status, where the mission
 * shows it: the reason it cannot be taken yet, or null. */
const CONDITIONS: Partial<
  Record<ButtonTransition, (mission: Mission, assets: Map<string, AssetInfo>) => string | null>
> = {
  // "the mission has no unfinished current hop"
  start_hop_plan: (mission) =>
    mission.current_hop === null || isFinished("hop", mission.current_hop.status)
      ? null
      : `Finish the current hop “${mission.current_hop.name}” first.`,
  // "every output of the mission is ready"
  complete_mission: (mission, assets) => {
    const waiting = unreadyOutputs(mission, assets);
    if (waiting.length === 0) return null;
    return waiting.length === 1
      ? `The output ${names(waiting)} is not ready yet: plan a hop that writes it.`
      : `The outputs ${names(waiting)} are not ready yet: plan hops that write them.`;
  },
};

/** The mission's buttons: what the transition table allows in its status, disabled with the
 * reason where its conditions do not hold yet. */
export function missionActions(mission: Mission, assets: Map<string, AssetInfo>): Action[] {
  return buttonActions("mission", mission.status, [], (name) => CONDITIONS[name]?.(mission, assets) ?? null);
}
