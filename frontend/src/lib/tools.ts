import { useEffect, useState } from "react";

import { listTools } from "../api/client.gen";
import type { ToolSpec } from "../api/types.gen";

let catalog: Promise<ToolSpec[]> | null = null;

/** The registered tools, read once per page load (the catalog changes only with the server). */
export function useTools(): ToolSpec[] | null {
  const [tools, setTools] = useState<ToolSpec[] | null>(null);
  useEffect(() => {
    catalog ??= listTools().then((answer) => answer.tools);
    let live = true;
    catalog.then(
      (loaded) => live && setTools(loaded),
      () => {
        catalog = null;
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return tools;
}
