import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";

import { authKeys } from "../auth/keys";
import { isSignedOut } from "../ui/problem";

/** The cache every screen reads the server through. Data is read when a screen shows it and
 * again when the live event stream says it changed (`events/`), not on window focus; a
 * refused request is shown at once, not retried. Any request answered 401 (an expired or
 * closed sign-in) leads back to the sign-in screen. */
export function createQueryClient(): QueryClient {
  const signedOutOn = (error: unknown) => {
    if (isSignedOut(error) && queryClient.getQueryData(authKeys.currentUser())) {
      queryClient.setQueryData(authKeys.currentUser(), null);
    }
  };
  const queryClient = new QueryClient({
    queryCache: new QueryCache({ onError: signedOutOn }),
    mutationCache: new MutationCache({ onError: signedOutOn }),
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
  return queryClient;
}
