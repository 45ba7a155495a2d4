import { defineConfig } from "vitest/config";

// Component tests of the SPA (`npm run test:unit`): React rendered into jsdom. The browser
// tests in tests/ run the built app in Chromium instead (`npm run test:browser`).
export default defineConfig({
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    // The machine may be busy with other work; a passing test takes far less.
    testTimeout: 30_000,
  },
});
