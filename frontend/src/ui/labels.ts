import type { EntityStatus } from "../api/transitions.gen";
import {
  ASSET_STATUS_LABELS,
  HOP_STATUS_LABELS,
  MISSION_STATUS_LABELS,
  TOOL_EXECUTION_STATUS_LABELS,
  USER_SESSION_STATUS_LABELS,
} from "../api/types.gen";

// Every status value in words for people, generated beside the enums (server/enums.py), so
// the screens never show a raw value and the words never drift from the values.
export {
  ASSET_STATUS_LABELS,
  HOP_STATUS_LABELS,
  MISSION_STATUS_LABELS,
  TOOL_EXECUTION_STATUS_LABELS,
  USER_SESSION_STATUS_LABELS,
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
