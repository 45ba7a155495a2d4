// Browser tests of the workspace as people use it: the phone layout, a second tab kept
// current by the live events, the confirmation of what cannot be undone, Save and accept, and
// no serious accessibility violation (axe-core, run inside the page under the app's CSP).
// Screenshots of the main screens at 1440x900 and 390x844 go to tests/screenshots/.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import {
  clickAndConfirm,
  createSession,
  DESKTOP,
  launchBrowser,
  newEmail,
  newPage,
  PHONE,
  proposeMission,
  signUp,
  startServer,
} from "./harness.mjs";

const RECORDS = [
  { title: "b", score: 2 },
  { title: "a", score: 1 },
];

const SCREENSHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
mkdirSync(SCREENSHOTS, { recursive: true });

/** Saves the page as `name`-desktop.png or `name`-phone.png. */
async function screenshot(page, name) {
  const { width } = page.viewportSize();
  await page.screenshot({
    path: join(SCREENSHOTS, `${name}-${width < 800 ? "phone" : "desktop"}.png`),
    fullPage: true,
  });
}

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** The critical and serious axe-core violations of the page as it is now. axe's source is
 * evaluated through the browser's protocol (no script tag: the app's CSP allows none). */
async function seriousViolations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/correctness/noUndeclaredVariables: axe is the global the evaluated source defined
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
    }));
  });
  return violations.filter((v) => v.impact === "critical" || v.impact === "serious");
}

async function assertAccessible(page, screen) {
  const found = await seriousViolations(page);
  assert.deepEqual(found, [], `${screen}: ${JSON.stringify(found, null, 2)}`);
}

/** Whether the page scrolls sideways (anything wider than the window). */
async function overflowsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

/** Opens the sessions menu of the phone layout, creates a session and waits for its page. */
async function createSessionOnPhone(page, name) {
  await page.getByRole("button", { name: "Sessions" }).click();
  const menu = page.locator("#sessions-menu");
  await menu.waitFor();
  const box = await menu.boundingBox();
  const { width, height } = page.viewportSize();
  assert.ok(box.x >= 0 && box.x + box.width <= width && box.y + Math.min(box.height, height) <= height, "menu in view");
  await createSession(page, name);
  await menu.waitFor({ state: "hidden" });
}

/** From an accepted mission: a hop that writes the mission output `Report` with sort, its
 * plan and chain saved and accepted in one action each, executed; the page then offers to
 * complete the mission. */
async function runHopToReport(page, { final = false } = {}) {
  await page.getByRole("button", { name: "Plan next hop" }).click();
  const plan = page.locator('form[aria-label="Hop plan"]');
  await plan.waitFor();
  assert.equal(await plan.locator('input[name="hop-input"]:checked').count(), 0, "nothing chosen for the person");
  await plan.locator('input[name="hop-name"]').fill("Rank");
  await plan.locator('input[name="hop-input"]').first().check();
  if (final) await plan.locator('input[name="hop-is-final"]').check();
  await plan.getByLabel("An existing mission asset").check();
  const existing = plan.locator('select[name="hop-output-existing"]');
  await existing.selectOption(await existing.locator("option", { hasText: "Report" }).getAttribute("value"));
  await plan.getByRole("button", { name: "Save and accept" }).click();
  await page.locator('.hop-head .badge[data-status="hop_plan_ready"]').waitFor();
  await page.getByRole("button", { name: "Start implementation" }).click();
  await page.locator('.hop-head .badge[data-status="hop_impl_started"]').waitFor();
  // The burst of live events of that transition is read before the chain is built.
  await page.waitForTimeout(500);
  const editor = page.locator('form[aria-label="Implementation"]');
  await editor.locator('select[name="add-tool"]').selectOption("sort");
  const step = editor.locator('[data-step-index="0"]');
  const keys = step.locator('[data-param="keys"]');
  await keys.locator("text=Add sort key").click();
  await keys.locator('input[aria-label="Sort key 1 field"]').fill("score");
  await editor.locator('.chain-check[data-check="valid"]').waitFor();
  return editor;
}

describe("the workspace", { concurrency: 3 }, () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("on a phone: one column, the chat as a tab, nothing scrolls sideways, the menu stays in view", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl, { viewport: PHONE });
    await page.goto("/sign-in");
    await page.locator("h2", { hasText: "Sign in" }).waitFor();
    assert.equal(await overflowsSideways(page), false, "sign-in");
    await screenshot(page, "sign-in");
    await signUp(page, newEmail("phone"));
    await createSessionOnPhone(page, "On the go");

    // The mission first; the chat is a tab, not a card over the mission.
    const chatTab = page.getByRole("tab", { name: "Chat" });
    await page.getByRole("tab", { name: "Mission", selected: true }).waitFor();
    assert.equal(await page.locator(".chat").isVisible(), false);
    await proposeMission(page, { name: "Rank on the phone", records: RECORDS });
    assert.equal(await overflowsSideways(page), false, "session page");
    await screenshot(page, "session");

    // What the chat says meanwhile is counted on its tab.
    await chatTab.locator(".tab-count").waitFor();
    await chatTab.click();
    await page.locator(".chat").waitFor();
    assert.equal(await page.locator(".mission").isVisible(), false);
    // The tab not shown keeps what was typed in it.
    await page.fill('textarea[name="message"]', "half a thought");
    await page.getByRole("tab", { name: "Mission" }).click();
    await page.locator(".mission").waitFor();
    await chatTab.click();
    assert.equal(await page.inputValue('textarea[name="message"]'), "half a thought");
    await page.fill('textarea[name="message"]', "A long line to check the width: ".repeat(6));
    await page.click('.chat-form button[type="submit"]');
    await page.locator(".message-user").waitFor();
    assert.equal(await overflowsSideways(page), false, "chat");
    await screenshot(page, "chat");

    // The arrow keys move between the tabs.
    await chatTab.focus();
    await page.keyboard.press("ArrowRight");
    await page.getByRole("tab", { name: "Mission", selected: true }).waitFor();
    await page.locator(".mission").waitFor();

    // The mission's confirmation fits the screen too.
    await page.getByRole("button", { name: "Cancel mission" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    const box = await dialog.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, "dialog in view");
    await dialog.getByRole("button", { name: "Go back" }).click();
    assert.equal(await overflowsSideways(page), false, "after the dialog");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a second tab follows chat messages and a new mission live", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl);
    await signUp(page, newEmail("tabs"));
    await createSession(page, "Two tabs");
    const second = await context.newPage();
    await second.goto(page.url());
    await second.locator('.connection[data-connection="live"]').waitFor();
    await second.evaluate(() => {
      window.__sameDocument = true;
    });

    await page.fill('textarea[name="message"]', "Hello from the first tab");
    await page.click('.chat-form button[type="submit"]');
    await second.locator(".message-content", { hasText: "Hello from the first tab" }).waitFor();

    await proposeMission(page, { name: "Seen twice", records: RECORDS });
    await second.locator(".mission-name", { hasText: "Seen twice" }).waitFor();
    await second.locator('.mission-head .badge[data-status="awaiting_approval"]').waitFor();
    await second.locator('.chat .status-line[data-transition="propose_mission"]').waitFor();

    assert.equal(await second.evaluate(() => window.__sameDocument), true, "the second tab was not reloaded");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a second tab follows a session renamed and one started in the first", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl);
    await signUp(page, newEmail("rename"));
    await createSession(page, "Two tabs");
    const second = await context.newPage();
    await second.goto(page.url());
    await second.locator('.connection[data-connection="live"]').waitFor();

    await page.getByRole("button", { name: "Rename", exact: true }).click();
    await page.fill('input[name="rename"]', "Two tabs, renamed");
    await page.click('.rename button[type="submit"]');
    await second.locator(".session-title h1", { hasText: "Two tabs, renamed" }).waitFor();
    await second.locator(".session-item .session-name", { hasText: "Two tabs, renamed" }).waitFor();

    await createSession(page, "Started elsewhere");
    await second.locator(".session-item .session-name", { hasText: "Started elsewhere" }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("cancel and complete ask first; Save and accept proposes and accepts; axe finds nothing serious", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl, { viewport: DESKTOP });
    await page.goto("/sign-in");
    await page.locator("h2", { hasText: "Sign in" }).waitFor();
    await assertAccessible(page, "sign-in");
    await screenshot(page, "sign-in");
    await signUp(page, newEmail("confirm"));
    await createSession(page, "Confirmations");
    await proposeMission(page, { name: "Kept after all", records: RECORDS });

    // Cancel asks first; going back keeps the mission, and the focus on the button.
    const cancel = page.getByRole("button", { name: "Cancel mission" });
    await cancel.click();
    const dialog = page.getByRole("dialog", { name: "Cancel mission?" });
    await dialog.waitFor();
    await assertAccessible(page, "confirmation");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await cancel.evaluate((button) => document.activeElement === button), true);
    await page.locator('.mission-head .badge[data-status="awaiting_approval"]').waitFor();
    // The next step is the primary button.
    assert.equal(
      await page.locator(".mission .transition-buttons button.primary").first().innerText(),
      "Accept mission",
    );
    await page.getByRole("button", { name: "Accept mission" }).click();
    await page.locator('.mission-head .badge[data-status="in_progress"]').waitFor();
    await assertAccessible(page, "session page");
    await screenshot(page, "session");

    // Complete waits for the outputs, saying why.
    const complete = page.locator('.mission button[data-transition="complete_mission"]');
    assert.equal(await complete.getAttribute("aria-disabled"), "true");
    await page.locator(".action-reasons", { hasText: "“Report” is not ready yet" }).waitFor();

    const editor = await runHopToReport(page);
    await assertAccessible(page, "implementation editor");
    await screenshot(page, "implementation");
    await editor.getByRole("button", { name: "Save and accept" }).click();
    await page.locator('.hop-head .badge[data-status="hop_impl_ready"]').waitFor();
    await page.getByRole("button", { name: "Execute hop" }).click();
    await page.locator('.hop-head .badge[data-status="completed"]').waitFor();

    // The output is ready: completing the mission is the next step, confirmed first.
    await page.locator('.mission button.primary[data-transition="complete_mission"]:not([aria-disabled])').waitFor();
    await clickAndConfirm(page, ".mission", "Complete mission");
    await page.locator('.mission-head .badge[data-status="completed"]').waitFor();
    await page.locator('.session-title .badge[data-status="completed"]').waitFor();
    await assertAccessible(page, "completed mission");
    await screenshot(page, "completed-mission");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a mission of the person's own saved and accepted in one action; on the phone the screens pass axe", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl, { viewport: PHONE });
    await signUp(page, newEmail("own"));
    await createSessionOnPhone(page, "Own mission");
    const form = page.locator('form[aria-label="Propose a mission"]');
    await form.locator('input[name="mission-name"]').fill("Mine at once");
    const input = form.locator('[data-asset-index="0"]');
    await input.locator('input[name="asset-name"]').fill("Records");
    await input.locator('select[name="asset-type"]').selectOption("object");
    await input.locator('input[name="asset-is-array"]').check();
    await input.locator('textarea[name="asset-content"]').fill(JSON.stringify(RECORDS));
    const output = form.locator('[data-asset-index="1"]');
    await output.locator('input[name="asset-name"]').fill("Report");
    await output.locator('select[name="asset-type"]').selectOption("object");
    await output.locator('input[name="asset-is-array"]').check();
    await form.getByRole("button", { name: "Save and accept" }).click();
    await page.locator('.mission-head .badge[data-status="in_progress"]').waitFor();
    await assertAccessible(page, "phone session page");

    const editor = await runHopToReport(page, { final: true });
    await assertAccessible(page, "phone implementation editor");
    await screenshot(page, "implementation");
    await editor.getByRole("button", { name: "Save and accept" }).click();
    await page.getByRole("button", { name: "Execute hop" }).click();
    await page.locator('.mission-head .badge[data-status="completed"]').waitFor();
    assert.equal(await overflowsSideways(page), false, "completed mission");
    await assertAccessible(page, "phone completed mission");
    await screenshot(page, "completed-mission");
    await page.getByRole("tab", { name: "Chat" }).click();
    await page.locator(".chat").waitFor();
    await assertAccessible(page, "phone chat");
    assert.deepEqual(problems, []);
    await context.close();
  });
});
