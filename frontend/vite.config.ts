import { defineConfig } from "vite";

// The SPA is served by the API server from frontend/dist; during development the Vite server
// forwards /api to it, so cookies and the CSRF header work the same way.
export default defineConfig({
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rolldownOptions: {
      onwarn(warning, warn) {
        // TanStack Query marks its modules "use client" for server-rendering bundlers; a
        // client-only bundle has nothing to keep, so the notice is noise.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
});
