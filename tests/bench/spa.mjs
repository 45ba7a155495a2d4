// What the browser benchmarks share: building the SPA, the gzip size of its JavaScript, and
// the median of a series of timings.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import { repoRoot } from "../../frontend/tests/harness.mjs";

const frontend = join(repoRoot, "frontend");

/** Builds the SPA into frontend/dist (vite build) unless the command line says `--no-build`. */
export function buildSpa(args) {
  if (!args.includes("--no-build")) {
    execFileSync("npx", ["vite", "build", "--logLevel", "warn"], { cwd: frontend, stdio: "inherit" });
  }
}

/** Prints each JavaScript file's gzip (-9) size and the total; returns the total in bytes. */
export function printJsSizes() {
  const assets = join(frontend, "dist", "assets");
  let total = 0;
  console.log("JavaScript (gzip -9):");
  for (const file of readdirSync(assets).filter((f) => f.endsWith(".js"))) {
    const size = gzipSync(readFileSync(join(assets, file)), { level: 9 }).length;
    total += size;
    console.log(`  ${file}: ${(size / 1024).toFixed(1)} kB`);
  }
  console.log(`  total: ${(total / 1024).toFixed(1)} kB (target: under 150 kB)`);
  return total;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
