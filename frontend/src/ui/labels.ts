import type { EntityStatus } from "../api/transitions.gen";
import type { AssetStatus, HopStatus, MissionStatus, ToolExecutionStatus, UserSessionStatus } from "../api/types.gen";

// Every status value in words for people, in one place: the screens never show a raw value.

export const USER_SESSION_STATUS_LABELS: Readonly<Record<UserSessionStatus, string>> = {
  active: "Active",
  completed: "Completed",
  abandoned: "Abandoned",
  archived: "Archived",
};

export const MISSION_STATUS_LABELS: Readonly<Record<MissionStatus, string>> = {
  awaiting_approval: "Awaiting approval",
  in_progress: "In progress",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const HOP_STATUS_LABELS: Readonly<Record<HopStatus, string>> = {
  hop_plan_started: "Planning",
  hop_plan_proposed: "Plan proposed",
  hop_plan_ready: "Plan accepted",
  hop_impl_started: "Building the tool chain",
  hop_impl_proposed: "Tool chain proposed",
  hop_impl_ready: "Ready to run",
  executing: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const TOOL_EXECUTION_STATUS_LABELS: Readonly<Record<ToolExecutionStatus, string>> = {
  awaiting_configuration: "Needs configuration",
  ready_to_execute: "Ready to run",
  executing: "Running",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const ASSET_STATUS_LABELS: Readonly<Record<AssetStatus, string>> = {
  pending: "Pending",
  awaiting_approval: "Awaiting approval",
  ready_for_processing: "Not written yet",
  processing: "Being written",
  ready: "Ready",
  error: "Error",
  expired: "Expired",
};

const BY_ENTITY: { readonly [E in keyof EntityStatus]: Readonly<Record<EntityStatus[E], string>> } = {
  session: USER_SESSION_STATUS_LABELS,
  mission: MISSION_STATUS_LABELS,
  hop: HOP_STATUS_LABELS,
  tool_step: TOOL_EXECUTION_STATUS_LABELS,
  asset: ASSET_STATUS_LABELS,
};

/** An entity whose status is shown. */
export type StatusEntity = keyof EntityStatus;

/** The words for an entity's status; without the entity, the first table that knows the value. */
export function statusLabel(status: string, entity?: StatusEntity): string {
  const tables = entity ? [BY_ENTITY[entity]] : Object.values(BY_ENTITY);
  for (const table of tables) {
    const label = (table as Readonly<Record<string, string>>)[status];
    if (label) return label;
  }
  const words = status.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}
