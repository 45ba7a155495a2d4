import { useQuery } from "@tanstack/react-query";

import { getAsset } from "../../api/client.gen";
import type { SchemaDefinition } from "../../api/types.gen";
import { assetKeys } from "../../assets/keys";
import { contentPaths, fieldPaths } from "./schema";

/** The fields a step's input offers to path inputs: those its SchemaDefinition names, else
 * the keys of its content's first records (read once, shared with the asset's detail). */
export function useFieldSuggestions(assetId: string | null, definition: SchemaDefinition | null): string[] {
  const declared = fieldPaths(definition);
  const { data } = useQuery({
    queryKey: assetKeys.detail(assetId ?? ""),
    queryFn: ({ signal }) => getAsset(assetId ?? "", { signal }),
    enabled: assetId !== null && declared.length === 0,
  });
  return declared.length > 0 ? declared : contentPaths(data?.content);
}
