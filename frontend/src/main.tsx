import { StrictMode, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";

import { ApiError, getCurrentUser } from "./api/client.gen";
import type { CurrentUser } from "./api/types.gen";

// A minimal shell: the SPA's screens are built on the generated client (src/api/*.gen.ts).
function App() {
  const [current, setCurrent] = useState<CurrentUser | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    getCurrentUser()
      .then(setCurrent)
      .catch((caught: unknown) => setError(caught instanceof ApiError ? caught.body.message : String(caught)));
  }, []);

  return (
    <main>
      <h1>Missions</h1>
      {current ? <p>Signed in as {current.user.email}</p> : <p>{error ?? "Loading…"}</p>}
    </main>
  );
}

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
