import { useEffect, useState } from "react";

/** The client-side routes of the app; the server answers every one with index.html. */
export type Route =
  | { name: "home" }
  | { name: "session"; sessionId: string }
  | { name: "sign-in" }
  | { name: "sign-up" };

export function parseRoute(pathname: string): Route {
  const session = /^\/sessions\/([^/]+)\/?$/.exec(pathname);
  if (session?.[1]) return { name: "session", sessionId: decodeURIComponent(session[1]) };
  if (pathname === "/sign-in") return { name: "sign-in" };
  if (pathname === "/sign-up") return { name: "sign-up" };
  return { name: "home" };
}

export function routePath(route: Route): string {
  switch (route.name) {
    case "home":
      return "/";
    case "session":
      return `/sessions/${encodeURIComponent(route.sessionId)}`;
    case "sign-in":
      return "/sign-in";
    case "sign-up":
      return "/sign-up";
  }
}

const listeners = new Set<() => void>();

/** Goes to `route`, adding a history entry (or replacing the current one). */
export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const path = routePath(route);
  if (path !== window.location.pathname) {
    if (options.replace) window.history.replaceState(null, "", path);
    else window.history.pushState(null, "", path);
  }
  for (const listener of listeners) listener();
}

/** The current route, following navigation and the browser's back and forward buttons. */
export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(window.location.pathname));
    listeners.add(update);
    window.addEventListener("popstate", update);
    return () => {
      listeners.delete(update);
      window.removeEventListener("popstate", update);
    };
  }, []);
  return route;
}
