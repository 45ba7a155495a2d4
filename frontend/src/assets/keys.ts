/** Where a list of assets comes from: a mission's own (`hopId` null) or one of its hops'. */
export interface AssetScope {
  missionId: string;
  hopId: string | null;
}

/** Query keys of assets. Lists are keyed by their scope, so that a filter on `missionId`
 * alone reaches the mission's list and those of all its hops. */
export const assetKeys = {
  all: ["assets"] as const,
  lists: () => [...assetKeys.all, "list"] as const,
  /** Every list whose scope matches `scope` (partly given: `{ hopId }` is one hop's). */
  listsOf: (scope: Partial<AssetScope>) => [...assetKeys.lists(), scope] as const,
  list: (scope: AssetScope) => [...assetKeys.lists(), scope] as const,
  details: () => [...assetKeys.all, "detail"] as const,
  detail: (assetId: string) => [...assetKeys.details(), assetId] as const,
};
