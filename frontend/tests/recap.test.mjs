// Browser test of the daily newsletter recap started from its template: a real server
// (SQLite), a real IMAP server (Dovecot, `python -m tests.tools.dovecot`, with the fixture
// messages) and Debian's Chromium. The summaries are extractive (no model server).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { createSession, launchBrowser, newEmail, newPage, PHONE, repoRoot, signUp, startServer } from "./harness.mjs";

/** The fixture senders that have messages of the last day (tests/tools/mail_fixtures.py). */
const SENDERS = ["editor@tides.example.org", "news@harbour.example.net"];

/** Dovecot with the fixture messages; resolves to its address and account, with `stop()`. */
async function startDovecot() {
  const child = spawn(join(repoRoot, ".venv", "bin", "python"), ["-m", "tests.tools.dovecot"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr.on("data", (chunk) => (output += chunk));
  const account = await new Promise((resolveAccount, reject) => {
    const timer = setTimeout(() => reject(new Error(`Dovecot did not start:\n${output}`)), 30_000);
    child.stdout.once("data", (chunk) => {
      clearTimeout(timer);
      resolveAccount(JSON.parse(String(chunk).trim().split("\n")[0]));
    });
    child.once("exit", (code) => reject(new Error(`Dovecot exited (${code}):\n${output}`)));
  });
  return {
    ...account,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

describe("the daily newsletter recap from its template", () => {
  let server;
  let browser;
  let dovecot;

  before(async () => {
    dovecot = await startDovecot();
    [server, browser] = await Promise.all([
      startServer({ env: { OUTBOUND_ALLOW_HOSTS: "127.0.0.1" } }),
      launchBrowser(),
    ]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await dovecot?.stop();
  });

  test("a saved mailbox is checked, the recap is started from its template, runs, and reads sender by sender", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl);
    await signUp(page, newEmail("recap"));

    // The mailbox, saved once on the Connections screen and checked.
    await page.click("nav.topbar-links >> text=Connections");
    await page.locator("h2", { hasText: "Connections" }).waitFor();
    await page.selectOption('select[name="new-connection-type"]', "imap");
    const form = page.locator('form[aria-label="New connection"]');
    await form.locator('input[name="connection-name"]').fill("Newsletters inbox");
    await form.locator('input[name="connection-host"]').fill(dovecot.host);
    await form.locator('input[name="connection-port"]').fill(String(dovecot.port));
    await form.locator('input[name="connection-username"]').fill(dovecot.username);
    await form.locator('input[name="connection-password"]').fill(dovecot.password);
    await form.locator('input[name="connection-security"]').fill("none");
    await form.locator('button[type="submit"]').click();
    const item = page.locator(".connection", { hasText: "Newsletters inbox" });
    await item.waitFor();
    await item.locator("text=Check connection").click();
    await item.locator(".check-succeeded", { hasText: "works" }).waitFor();
    assert.equal((await page.content()).includes(dovecot.password), false);

    await page.goto("/");
    await createSession(page, "Morning reading");
    const start = page.locator('form[aria-label="Start from a template"]');
    await start.waitFor();
    assert.equal(
      await start.getByRole("combobox", { name: "Template" }).locator("option:checked").innerText(),
      "Daily newsletter recap",
    );

    // At phone width the form fits the screen.
    await page.setViewportSize(PHONE);
    await start.locator('textarea[name="template-senders"]').scrollIntoViewIfNeeded();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await page.setViewportSize({ width: 1440, height: 1000 });

    // Nothing given: the server's reason shows under the field.
    await start.getByRole("button", { name: "Create the mission" }).click();
    await start.locator('.field-error[data-field="senders"]').waitFor();

    await start.locator('textarea[name="template-senders"]').fill(SENDERS.join("\n"));
    await start.getByRole("combobox", { name: /^Mailbox/ }).selectOption({ label: "Newsletters inbox" });
    await start.getByRole("button", { name: "Create the mission" }).click();
    await page.locator(".mission-name", { hasText: "Daily newsletter recap" }).waitFor();
    await page.locator('.hop-head .badge[data-status="hop_impl_ready"]').waitFor();

    await page.getByRole("button", { name: "Execute hop" }).click();
    await page.locator('.hop-head .badge[data-status="completed"]').waitFor({ timeout: 60_000 });

    await page.locator(".mission > .asset-summary .asset-item", { hasText: "Daily newsletter recap" }).click();
    const markdown = page.locator('[aria-label="Asset detail"] .markdown-view');
    await markdown.locator("h1", { hasText: "Daily newsletter recap" }).waitFor();
    const headings = await markdown.locator("h2").allInnerTexts();
    assert.deepEqual(new Set(headings), new Set(["Tide Weekly", "Harbour News"]));
    assert.match(await markdown.innerText(), /4 messages from 2 senders\./);
    assert.match(await markdown.innerText(), /Spring tides this week/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
