// Starts a real server (SQLite in a temporary folder) and a real Chromium for the browser tests.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const here = fileURLToPath(new URL(".", import.meta.url));
export const repoRoot = resolve(here, "..", "..");

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** The server on a free port with its own data folder (and `env` besides); `stop()` ends it
 * and removes the folder. */
export async function startServer({ env: extra = {} } = {}) {
  if (!existsSync(join(repoRoot, "frontend", "dist", "index.html"))) {
    throw new Error("frontend/dist is missing: run `npm run build` in frontend/ first");
  }
  const dataDir = mkdtempSync(join(tmpdir(), "missions-browser-"));
  const port = await freePort();
  const env = { ...process.env, DATA_DIR: dataDir, EVENTS_KEEP_ALIVE_SECONDS: "5", ...extra };
  delete env.DATABASE_URL;
  const child = spawn(join(repoRoot, ".venv", "bin", "python"), ["-m", "server", "serve", "--port", String(port)], {
    cwd: repoRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
    try {
      const answer = await fetch(`${baseUrl}/api/health`);
      if (answer.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`the server did not start within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    baseUrl,
    dataDir,
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The local OpenAI-compatible model server of the tests (`tests/assistant/model_server.py`),
 * answering as its rule-based designer does, streaming with `delay` seconds between chunks. */
export async function startModelServer({ delay = 0.05 } = {}) {
  const child = spawn(
    join(repoRoot, ".venv", "bin", "python"),
    ["-m", "tests.assistant.model_server", "--port", "0", "--delay", String(delay)],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stderr.on("data", (chunk) => (output += chunk));
  const baseUrl = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`the model server did not start:\n${output}`)), 20_000);
    child.stdout.once("data", (chunk) => {
      clearTimeout(timer);
      resolveUrl(String(chunk).trim().split("\n")[0]);
    });
    child.once("exit", (code) => reject(new Error(`the model server exited (${code}):\n${output}`)));
  });
  return {
    baseUrl,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

let counter = 0;
/** A fresh e-mail address per call, so every test has its own user. */
export function newEmail(label) {
  counter += 1;
  return `${label}-${process.pid}-${Date.now()}-${counter}@example.test`;
}

export const PASSWORD = "correct horse battery";

export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** A new page of a new browser context (its own cookies) at `baseUrl`, 1440 wide unless
 * `viewport` says otherwise (PHONE: also touch, as a phone has). */
export async function newPage(browser, baseUrl, { viewport = { width: 1440, height: 1000 } } = {}) {
  const phone = viewport.width < 800;
  const context = await browser.newContext({ baseURL: baseUrl, viewport, hasTouch: phone, isMobile: phone });
  // Generous: the machine running CI may be busy; a passing step never waits this long.
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(String(error)));
  // Anything the Content-Security-Policy blocks is reported on the console: none may be.
  page.on("console", (message) => {
    if (
      message.type() === "error" &&
      /Content Security Policy|Refused to (load|execute|apply|connect)/.test(message.text())
    ) {
      problems.push(message.text());
    }
  });
  return { context, page, problems };
}

/** Signs up through the form (which signs in too) and waits for the signed-in layout. */
export async function signUp(page, email) {
  await page.goto("/sign-up");
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', PASSWORD);
  await page.click('button[type="submit"]');
  // Attached, not visible: a phone's top bar leaves the address out.
  await page.locator(".user-email", { hasText: email }).waitFor({ state: "attached" });
}

/** Creates a session from the sidebar and waits for its page. */
export async function createSession(page, name) {
  await page.click("text=New session");
  await page.fill('input[name="session-name"]', name);
  await page.click('.new-session button[type="submit"]');
  await page.locator(".session-title h1", { hasText: name }).waitFor();
}

/** Fills the mission form: Records (object list, with content) in, Report (object list) out. */
export async function proposeMission(page, { name, records }) {
  const form = page.locator('form[aria-label="Propose a mission"]');
  await form.locator('input[name="mission-name"]').fill(name);
  await form.locator('input[name="mission-goal"]').fill("A ranked report");
  await form.locator('textarea[name="mission-criteria"]').fill("records ranked by score");
  const input = form.locator('[data-asset-index="0"]');
  await input.locator('input[name="asset-name"]').fill("Records");
  await input.locator('select[name="asset-type"]').selectOption("object");
  await input.locator('input[name="asset-is-array"]').check();
  await input.locator('textarea[name="asset-content"]').fill(JSON.stringify(records));
  const output = form.locator('[data-asset-index="1"]');
  await output.locator('input[name="asset-name"]').fill("Report");
  await output.locator('select[name="asset-type"]').selectOption("object");
  await output.locator('input[name="asset-is-array"]').check();
  await form.getByRole("button", { name: "Propose mission", exact: true }).click();
  await page.locator(".mission-name", { hasText: name }).waitFor();
}

/** From an accepted mission: plans its next hop (reading the mission inputs, writing a new
 * asset `output` of `type` list), accepts the plan and starts the implementation. */
export async function planHop(page, { name, output, type, isFinal = false, rejectFirst = false }) {
  await page.click("text=Plan next hop");
  const plan = page.locator('form[aria-label="Hop plan"]');
  const propose = async () => {
    await plan.waitFor();
    await plan.locator('input[name="hop-name"]').fill(name);
    // Nothing is chosen for the person: the hop reads the mission input once ticked.
    await plan.locator('input[name="hop-input"]').first().check();
    if (isFinal) await plan.locator('input[name="hop-is-final"]').check();
    await plan.locator('input[name="asset-name"]').fill(output);
    await plan.locator('select[name="asset-type"]').selectOption(type);
    await plan.locator('input[name="asset-is-array"]').check();
    await plan.getByRole("button", { name: "Propose plan", exact: true }).click();
    await page.locator('.hop-head .badge[data-status="hop_plan_proposed"]').waitFor();
  };
  await propose();
  if (rejectFirst) {
    // Rejected, the hop goes back to planning and the asset the plan created is removed.
    await page.locator(".mission > .asset-summary .asset-name", { hasText: output }).waitFor();
    await page.click("text=Reject plan");
    await page.locator('.hop-head .badge[data-status="hop_plan_started"]').waitFor();
    await page.locator(".mission > .asset-summary .asset-name", { hasText: output }).waitFor({ state: "detached" });
    await propose();
  }
  await page.click("text=Accept plan");
  await page.locator('.hop-head .badge[data-status="hop_plan_ready"]').waitFor();
  await page.click("text=Start implementation");
  await page.locator('form[aria-label="Implementation"]').waitFor();
}

/** Clicks the button labelled `label` in `scope` and confirms it in the dialog it opens;
 * returns once the dialog has closed. */
export async function clickAndConfirm(page, scope, label) {
  await page.locator(scope).locator("button", { hasText: label }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.waitFor();
  await dialog.getByRole("button", { name: label, exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
}
