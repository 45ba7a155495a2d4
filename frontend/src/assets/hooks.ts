import { type QueryClient, useQuery } from "@tanstack/react-query";

import { getAsset, listAssets } from "../api/client.gen";
import type { AssetInfo, AssetPage } from "../api/types.gen";
import { type AssetScope, assetKeys } from "./keys";

const LIMIT = 200;

function byId(page: AssetPage): Map<string, AssetInfo> {
  return new Map(page.items.map((asset) => [asset.id, asset]));
}

function assetsQuery(scope: AssetScope) {
  const query = scope.hopId === null ? { mission_id: scope.missionId } : { hop_id: scope.hopId };
  return {
    queryKey: assetKeys.list(scope),
    queryFn: ({ signal }: { signal: AbortSignal }) => listAssets({ ...query, limit: LIMIT }, { signal }),
  };
}

/** The assets of a mission (`hopId` null) or of one of its hops, by id. */
export function useAssets(scope: AssetScope) {
  return useQuery({ ...assetsQuery(scope), select: byId });
}

/** Starts reading a mission's assets (as soon as the mission is known, before its panel
 * renders and asks for them). */
export function prefetchMissionAssets(queryClient: QueryClient, missionId: string): void {
  void queryClient.prefetchQuery(assetsQuery({ missionId, hopId: null }));
}

/** One asset with its content. */
export function useAsset(assetId: string) {
  return useQuery({
    queryKey: assetKeys.detail(assetId),
    queryFn: ({ signal }) => getAsset(assetId, { signal }),
  });
}
