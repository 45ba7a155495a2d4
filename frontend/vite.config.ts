import { defineConfig } from "vite";

// The SPA is served by the API server from frontend/dist; during development the Vite server
// forwards /api to it, so cookies and the CSRF header work the same way.
export default defineConfig({
  build: { outDir: "dist", emptyOutDir: true },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
});
