import { type QueryClient, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { getCurrentUser, signIn, signOut, signUp } from "../api/client.gen";
import type { CurrentUser, SignIn } from "../api/types.gen";
import { isSignedOut } from "../ui/problem";
import { authKeys } from "./keys";

/** The signed-in user; `null` when nobody is signed in. */
export function useCurrentUser() {
  return useQuery({
    queryKey: authKeys.currentUser(),
    queryFn: async ({ signal }): Promise<CurrentUser | null> => {
      try {
        return await getCurrentUser({ signal });
      } catch (caught) {
        if (isSignedOut(caught)) return null;
        throw caught;
      }
    },
  });
}

/** Forgets everything read for the previous user and records who is signed in now. */
export function setSignedIn(queryClient: QueryClient, current: CurrentUser | null): void {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== authKeys.all[0] });
  queryClient.setQueryData(authKeys.currentUser(), current);
}

/** Signs in; with `createAccount`, creates the account first. `then` runs once signed in
 * (the sign-in screen is gone by then). */
export function useSignIn(then: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ createAccount, ...credentials }: SignIn & { createAccount: boolean }) => {
      if (createAccount) await signUp(credentials);
      return signIn(credentials);
    },
    onSuccess: (current) => {
      setSignedIn(queryClient, current);
      then();
    },
  });
}

/** Signs out; an expired sign-in counts as signed out too. `then` runs once signed out. */
export function useSignOut(then: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      try {
        await signOut();
      } catch {
        // Signed out already (an expired session): the sign-in screen is right either way.
      }
    },
    onSettled: () => {
      setSignedIn(queryClient, null);
      then();
    },
  });
}
