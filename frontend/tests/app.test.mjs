// Browser tests of the web app: a real server (SQLite) and Debian's Chromium, driven by
// playwright-core. Run after `npm run build`: `node --test tests/` in frontend/.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import {
  clickAndConfirm,
  createSession,
  launchBrowser,
  newEmail,
  newPage,
  PASSWORD,
  planHop,
  proposeMission,
  signUp,
  startServer,
} from "./harness.mjs";

const RECORDS = [
  { title: "b", score: 2 },
  { title: "a", score: 1 },
  { title: "c", score: 3 },
];

// The groups are independent (a user each) and run side by side; steps within a group run in order.
describe("the web app", { concurrency: 3 }, () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  describe("accounts", () => {
    test("sign up shows the server's reasons next to the fields, then signs in, out and in again", async () => {
      const { context, page, problems } = await newPage(browser, server.baseUrl);
      const email = newEmail("account");
      await page.goto("/sign-up");
      await page.fill('input[name="email"]', "not-an-email");
      await page.fill('input[name="password"]', "short");
      await page.click('button[type="submit"]');
      const emailError = page.locator('.field-error[data-field="email"]');
      await emailError.waitFor();
      assert.equal(await emailError.innerText(), "Enter an e-mail address, like name@example.com.");
      // With the e-mail corrected, the server names the password next.
      await page.fill('input[name="email"]', email);
      await page.click('button[type="submit"]');
      const passwordError = page.locator('.field-error[data-field="password"]');
      await passwordError.waitFor();
      assert.equal(await passwordError.innerText(), "Use at least 8 characters.");
      assert.equal(await emailError.count(), 0);

      await page.fill('input[name="email"]', email);
      await page.fill('input[name="password"]', PASSWORD);
      await page.click('button[type="submit"]');
      await page.locator(".user-email", { hasText: email }).waitFor();
      await page.locator(".empty-state", { hasText: "No active session" }).waitFor();

      await page.click("text=Sign out");
      await page.locator("h2", { hasText: "Sign in" }).waitFor();
      assert.equal(new URL(page.url()).pathname, "/sign-in");

      await page.fill('input[name="email"]', email);
      await page.fill('input[name="password"]', "wrong password");
      await page.click('button[type="submit"]');
      await page.locator(".error-banner", { hasText: "Wrong e-mail or password" }).waitFor();

      await page.fill('input[name="password"]', PASSWORD);
      await page.click('button[type="submit"]');
      await page.locator(".user-email", { hasText: email }).waitFor();
      assert.deepEqual(problems, []);
      await context.close();
    });

    test("the API documentation page renders under the security policy, from this server only", async () => {
      const { context, page, problems } = await newPage(browser, server.baseUrl);
      const elsewhere = [];
      page.on("request", (request) => {
        if (!request.url().startsWith(server.baseUrl)) elsewhere.push(request.url());
      });
      await page.goto("/api/schema");
      await page.locator(".swagger-ui .info .title", { hasText: "Missions API" }).waitFor();
      await page.locator(".opblock-tag", { hasText: "auth" }).first().waitFor();
      assert.deepEqual(elsewhere, []);
      assert.deepEqual(problems, []);
      await context.close();
    });
  });

  describe("sessions and chat", () => {
    test("create a session, chat in it, rename it; the active session opens by default", async () => {
      const { context, page, problems } = await newPage(browser, server.baseUrl);
      await signUp(page, newEmail("chat"));
      await createSession(page, "Research");
      const sessionPath = new URL(page.url()).pathname;
      assert.match(sessionPath, /^\/sessions\/[0-9a-f-]{36}$/);

      for (const text of ["First question", "Second thought"]) {
        await page.fill('textarea[name="message"]', text);
        await page.click('.chat-form button[type="submit"]');
        await page.locator(".message-content", { hasText: text }).waitFor();
      }
      assert.deepEqual(await page.locator(".message-content").allInnerTexts(), ["First question", "Second thought"]);

      await page.click("text=Rename");
      await page.fill('input[name="rename"]', "Tide research");
      await page.click('.rename button[type="submit"]');
      await page.locator(".session-title h1", { hasText: "Tide research" }).waitFor();
      await page.locator(".session-item.selected .session-name", { hasText: "Tide research" }).waitFor();

      // A fresh load of the home page opens the active session, messages in order.
      await page.goto("/");
      await page.waitForURL(`**${sessionPath}`);
      await page.locator(".message-content", { hasText: "Second thought" }).waitFor();
      assert.deepEqual(await page.locator(".message-content").allInnerTexts(), ["First question", "Second thought"]);

      await clickAndConfirm(page, ".session-header", "Archive");
      await page.locator('.session-title .badge[data-status="archived"]').waitFor();
      assert.deepEqual(problems, []);
      await context.close();
    });
  });

  describe("a long chat", () => {
    test("shows its newest 100 messages and the earlier ones on request, in order", async () => {
      const { context, page, problems } = await newPage(browser, server.baseUrl);
      await signUp(page, newEmail("long-chat"));
      await createSession(page, "Long talk");
      const sessionId = new URL(page.url()).pathname.split("/").pop();
      const { csrf_token } = await (await page.request.get("/api/auth/me")).json();
      for (let i = 0; i < 130; i += 1) {
        const posted = await page.request.post(`/api/sessions/${sessionId}/messages`, {
          data: { role: "user", content: `note ${i}` },
          headers: { "X-CSRF-Token": csrf_token },
        });
        assert.equal(posted.status(), 201);
      }
      await page.reload();
      await page.locator(".message-content", { hasText: "note 129" }).waitFor();
      const texts = () => page.locator(".messages .message-content").allTextContents();
      assert.deepEqual(
        await texts(),
        Array.from({ length: 100 }, (_, i) => `note ${i + 30}`),
      );
      await page.click("text=Show earlier messages (30 more)");
      await page.locator(".message-content", { hasText: /^note 0$/ }).waitFor();
      assert.deepEqual(
        await texts(),
        Array.from({ length: 130 }, (_, i) => `note ${i}`),
      );
      assert.equal(await page.locator(".messages .earlier button").count(), 0);
      assert.deepEqual(problems, []);
      await context.close();
    });
  });

  describe("a mission from proposal to output", () => {
    let context;
    let page;
    let problems;

    before(async () => {
      ({ context, page, problems } = await newPage(browser, server.baseUrl));
      await signUp(page, newEmail("mission"));
      await createSession(page, "Ranking");
    });

    after(async () => {
      assert.deepEqual(problems, []);
      await context.close();
    });

    test("propose a mission: reasons next to fields, then the mission awaiting approval; accepted elsewhere, it updates live", async () => {
      // An empty name is refused by the server, which names the field.
      await page
        .locator('form[aria-label="Propose a mission"]')
        .getByRole("button", { name: "Propose mission" })
        .click();
      await page.locator('.field-error[data-field="name"]', { hasText: "This field is required." }).waitFor();

      await proposeMission(page, { name: "Rank records", records: RECORDS });
      await page.locator('.mission-head .badge[data-status="awaiting_approval"]').waitFor();
      await page.locator('.asset-group[data-group="inputs"] .asset-name', { hasText: "Records" }).waitFor();
      await page.locator('.asset-group[data-group="outputs"] .asset-name', { hasText: "Report" }).waitFor();

      // Accepted from a second page: the first follows live, without reloading.
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      const other = await context.newPage();
      await other.goto(page.url());
      await other.click("text=Accept mission");
      await other.locator('.mission-head .badge[data-status="in_progress"]').waitFor();
      await other.close();
      await page.locator('.mission-head .badge[data-status="in_progress"]').waitFor();
      assert.equal(await page.locator("text=Accept mission").count(), 0);
      assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");
    });

    test("plan a hop, implement it with sort (live dry-run), execute it and see the output live", async () => {
      await page.evaluate(() => {
        window.__sameDocument = true;
      });
      await page.click("text=Plan next hop");
      const plan = page.locator('form[aria-label="Hop plan"]');
      await plan.waitFor();
      await plan.locator('input[name="hop-name"]').fill("Rank by score");
      // A new plan reads nothing the person did not choose.
      assert.equal(await plan.locator('input[name="hop-input"]:checked').count(), 0);
      await plan.locator('input[name="hop-input"]').first().check();
      await plan.locator('input[name="hop-goal"]').fill("records sorted, best first");
      // A final hop writes one of the mission's outputs: the report.
      await plan.locator('input[name="hop-is-final"]').check();
      await plan.locator('input[name="hop-output-kind"]').nth(1).check();
      await plan.locator('select[name="hop-output-existing"]').selectOption({ label: "Report (object[], output)" });
      // The person's own plan: proposed and accepted in one action.
      await plan.getByRole("button", { name: "Save and accept" }).click();
      await page.locator('.hop-head .badge[data-status="hop_plan_ready"]').waitFor();
      // Two transitions, in order, each recorded in the chat.
      await page.locator('.chat .status-line[data-transition="accept_hop_plan"]').waitFor();
      const recorded = await page
        .locator(".chat .status-line[data-transition]")
        .evaluateAll((lines) => lines.map((line) => line.getAttribute("data-transition")));
      assert.deepEqual(recorded.slice(-2), ["propose_hop_plan", "accept_hop_plan"]);
      await page.click("text=Start implementation");

      const editor = page.locator('form[aria-label="Implementation"]');
      await editor.waitFor();
      await editor.locator('select[name="add-tool"]').selectOption("sort");
      const step = editor.locator('[data-step-index="0"]');
      await step.waitFor();
      // The list is read from the mission input, the result written to the hop's output.
      assert.equal(await step.locator('[data-param="items"] select[name="param-kind"]').inputValue(), "asset");
      // `keys` has no value yet: caught before asking the server.
      await editor.locator(".chain-check.invalid", { hasText: "needs a value" }).waitFor();

      // The sort keys in their structured editor: the field offered from the input's records.
      const keys = step.locator('[data-param="keys"]');
      await keys.locator("text=Add sort key").click();
      await keys.locator('input[aria-label="Sort key 1 field"]').fill("score");
      await keys.locator('select[aria-label="Sort key 1 direction"]').selectOption("descending");
      await editor.locator('.chain-check[data-check="valid"]').waitFor();

      // Discarding the output leaves the hop's output unwritten: the server's dry run says so.
      await step.locator('[data-result="items"] select[name="result-kind"]').selectOption("discard");
      await editor.locator(".chain-check.invalid", { hasText: "is not written by any step" }).waitFor();
      await step.locator('[data-result="items"] select[name="result-kind"]').selectOption("asset");
      await editor.locator('.chain-check[data-check="valid"]').waitFor();

      await editor.getByRole("button", { name: "Propose implementation" }).click();
      await page.locator('.hop-head .badge[data-status="hop_impl_proposed"]').waitFor();
      await page.click("text=Accept implementation");
      await page.locator('.hop-head .badge[data-status="hop_impl_ready"]').waitFor();
      await page.locator('.step[data-step-status="ready_to_execute"]').waitFor();

      // Open the output asset before running: it has no content yet.
      await page.locator(".mission > .asset-summary .asset-item", { hasText: "Report" }).click();
      const detail = page.locator('[aria-label="Asset detail"]');
      await detail.locator(".asset-content-empty").waitFor();

      await page.click("text=Execute hop");
      await page.locator('.step[data-step-status="completed"]').waitFor();
      await page.locator('.hop-head .badge[data-status="completed"]').waitFor();
      await page.locator('.mission-head .badge[data-status="completed"]').waitFor();
      // The records open as a table; the raw JSON is one switch away.
      await detail.locator(".asset-content .record-table tbody tr").first().waitFor();
      await detail.locator('[data-view-option="raw"]').click();
      const shown = JSON.parse(await detail.locator(".asset-content-raw").innerText());
      assert.deepEqual(
        shown,
        [...RECORDS].sort((a, b) => b.score - a.score),
      );
      await detail.locator('.badge[data-status="ready"]').waitFor();
      assert.match(await page.locator(".step-times").first().innerText(), /started .* finished .* took/);
      assert.equal(await page.evaluate(() => window.__sameDocument), true, "the page was not reloaded");

      const folder = mkdtempSync(join(tmpdir(), "missions-screens-"));
      const file = join(folder, "main-screen.png");
      await page.screenshot({ path: file, fullPage: true });
      console.log(`screenshot: ${file}`);
    });
  });

  describe("refusals", () => {
    test("an action the server refuses shows its message (a page that missed an update)", async () => {
      const { context, page, problems } = await newPage(browser, server.baseUrl);
      await signUp(page, newEmail("refusal"));
      await createSession(page, "Two pages");
      await proposeMission(page, { name: "Stale mission", records: RECORDS });
      await page.locator('.connection[data-connection="live"]').waitFor();

      // A second page of the same user whose live stream is cut: it keeps showing `awaiting approval`.
      const stale = await context.newPage();
      await stale.route("**/api/events", (route) => route.abort());
      await stale.goto(page.url());
      await stale.locator('.mission-head .badge[data-status="awaiting_approval"]').waitFor();
      await stale.locator('.connection[data-connection="reconnecting"]').waitFor();

      await clickAndConfirm(page, ".mission", "Cancel mission");
      await page.locator('.mission-head .badge[data-status="cancelled"]').waitFor();

      await stale.click("text=Accept mission");
      const banner = stale.locator(".mission .error-banner");
      await banner.waitFor();
      assert.match(
        await banner.innerText(),
        /^Cannot accept mission\. This mission was cancelled; nothing more can change in it\. \(The mission is “Cancelled”; this needs “Awaiting approval”\.\)/,
      );
      assert.deepEqual(problems, []);
      await context.close();
    });
  });

  describe("configuration, refusal and retry", () => {
    test("a plan rejected and proposed again; a step waiting for configuration: execute is refused with the server's reason; configured, it runs, fails and can be retried", async () => {
      const { context, page, problems } = await newPage(browser, server.baseUrl);
      await signUp(page, newEmail("configure"));
      await createSession(page, "Search");
      await proposeMission(page, { name: "Search the web", records: RECORDS });
      await page.click("text=Accept mission");
      await page.locator('.mission-head .badge[data-status="in_progress"]').waitFor();
      await planHop(page, { name: "Search", output: "Results", type: "search_result", rejectFirst: true });

      const editor = page.locator('form[aria-label="Implementation"]');
      await editor.locator('select[name="add-tool"]').selectOption("web_search");
      const step = editor.locator('[data-step-index="0"]');
      await step.locator('[data-param="query"] input[name="param-literal"]').fill("spring tides");
      await editor.locator('.chain-check[data-check="valid"]').waitFor();
      await editor.getByRole("button", { name: "Propose implementation" }).click();
      await page.click("text=Accept implementation");
      await page.locator('.step[data-step-status="awaiting_configuration"]').waitFor();
      await page.locator(".step-validation", { hasText: "base_url" }).waitFor();

      // Execute waits for the configuration: disabled, saying why, and still focusable.
      const execute = page.locator('.hop button[data-transition="execute_hop"]');
      assert.equal(await execute.getAttribute("aria-disabled"), "true");
      const reasonId = await execute.getAttribute("aria-describedby");
      assert.match(await page.locator(`[id="${reasonId}"]`).innerText(), /needs its configuration/);

      // Nothing listens on port 9: the search fails fast with the tool's message.
      await page.fill('input[name="configure-search_provider-base_url"]', "http://127.0.0.1:9");
      await page.fill('input[name="configure-search_provider-timeout_seconds"]', "2");
      await page.click("text=Save configuration");
      await page.locator('.step[data-step-status="ready_to_execute"]').waitFor();

      await page.click("text=Execute hop");
      await page.locator('.hop-head .badge[data-status="failed"]').waitFor();
      await page.locator('.step[data-step-status="failed"] .step-error').waitFor();
      assert.match(await page.locator(".hop-error").innerText(), /Step 1/);

      await page.click("text=Retry");
      await page.locator('.hop-head .badge[data-status="hop_impl_ready"]').waitFor();
      await page.locator('.step[data-step-status="ready_to_execute"]').waitFor();
      assert.deepEqual(problems, []);
      await context.close();
    });
  });
});
