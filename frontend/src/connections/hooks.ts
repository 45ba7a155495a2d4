import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import {
  checkConnection,
  createConnection,
  deleteConnection,
  getConnectionUsage,
  listConnections,
  listResourceTypes,
  updateConnection,
} from "../api/client.gen";
import type { ConnectionCreate, ConnectionUpdate } from "../api/types.gen";
import { connectionKeys } from "./keys";

/** Every resource type the tools depend on (fields, whether it can be checked); changes only with the server. */
export function useResourceTypes() {
  return useQuery({
    queryKey: connectionKeys.resourceTypes(),
    queryFn: ({ signal }) => listResourceTypes({ signal }).then((catalog) => catalog.resource_types),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** The user's connections, optionally those of one resource type. */
export function useConnections(resourceType?: string) {
  return useQuery({
    queryKey: connectionKeys.list(resourceType),
    queryFn: ({ signal }) =>
      listConnections(resourceType ? { resource_type: resourceType } : {}, { signal }).then((page) => page.items),
  });
}

/** The steps that use a connection. */
export function useConnectionUsage(connectionId: string, enabled: boolean) {
  return useQuery({
    queryKey: connectionKeys.usage(connectionId),
    queryFn: ({ signal }) => getConnectionUsage(connectionId, { signal }).then((usage) => usage.steps),
    enabled,
  });
}

function useRefresh() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: connectionKeys.all });
}

export function useCreateConnection() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (body: ConnectionCreate) => createConnection(body), onSuccess: refresh });
}

export function useUpdateConnection(connectionId: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: ConnectionUpdate) => updateConnection(connectionId, body),
    onSuccess: refresh,
  });
}

export function useCheckConnection(connectionId: string) {
  const refresh = useRefresh();
  return useMutation({ mutationFn: () => checkConnection(connectionId), onSuccess: refresh });
}

export function useDeleteConnection(connectionId: string) {
  const refresh = useRefresh();
  return useMutation({ mutationFn: () => deleteConnection(connectionId), onSuccess: refresh });
}
