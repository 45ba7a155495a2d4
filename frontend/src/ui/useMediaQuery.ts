import { useSyncExternalStore } from "react";

/** The width at and below which the screens take one column (a phone). The CSS uses the same
 * figure (`app/layout.css`, `sessions/sessions.css`). */
export const NARROW = "(max-width: 760px)";

/** Whether the media query matches now; follows it as the window changes. */
export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia(query);
      list.addEventListener("change", onChange);
      return () => list.removeEventListener("change", onChange);
    },
    () => window.matchMedia(query).matches,
  );
}
