/** Query keys of the sign-in. */
export const authKeys = {
  all: ["auth"] as const,
  /** The signed-in user, or `null` when nobody is. */
  currentUser: () => [...authKeys.all, "current-user"] as const,
};
