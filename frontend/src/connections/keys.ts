/** Query keys of saved connections and the resource types they configure. */
export const connectionKeys = {
  all: ["connections"] as const,
  list: (resourceType?: string) => [...connectionKeys.all, "list", resourceType ?? "*"] as const,
  usage: (connectionId: string) => [...connectionKeys.all, "usage", connectionId] as const,
  resourceTypes: () => ["resource-types"] as const,
};
