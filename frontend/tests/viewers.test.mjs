// Browser tests of the asset viewers and of drafts kept across a reload: a real server
// (SQLite) and Debian's Chromium, as in app.test.mjs.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { createSession, launchBrowser, newEmail, newPage, proposeMission, signUp, startServer } from "./harness.mjs";

const RECORDS = Array.from({ length: 120 }, (_, i) => ({ title: `record ${i}`, score: (i * 37) % 120 }));
const NOTES =
  "# Findings\n\nA **bold** point.\n\n<script>window.__ran = true</script>\n\n[a source](https://example.com/a)";

describe("asset viewers and drafts", { concurrency: 2 }, () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("records as a sorted, paged table and a JSON tree used from the keyboard; markdown rendered and sanitised", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl);
    await signUp(page, newEmail("viewers"));
    await createSession(page, "Viewers");
    const form = page.locator('form[aria-label="Propose a mission"]');
    await form.locator('input[name="mission-name"]').fill("Look at data");
    const records = form.locator('[data-asset-index="0"]');
    await records.locator('input[name="asset-name"]').fill("Records");
    await records.locator('select[name="asset-type"]').selectOption("object");
    await records.locator('input[name="asset-is-array"]').check();
    await records.locator('textarea[name="asset-content"]').fill(JSON.stringify(RECORDS));
    await form.locator('[data-asset-index="1"] input[name="asset-name"]').fill("Report");
    await form.locator("text=Add input").click();
    const notes = form.locator('[data-asset-index="2"]');
    await notes.locator('input[name="asset-name"]').fill("Notes");
    await notes.locator('select[name="asset-type"]').selectOption("markdown");
    await notes.locator('textarea[name="asset-content"]').fill(JSON.stringify(NOTES));
    await form.getByRole("button", { name: "Propose mission", exact: true }).click();
    await page.locator(".mission-name", { hasText: "Look at data" }).waitFor();

    await page.locator(".mission > .asset-summary .asset-item", { hasText: "Records" }).click();
    const detail = page.locator('[aria-label="Asset detail"]');
    const rows = detail.locator(".record-table tbody tr");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 50);
    await detail.locator(".page-of", { hasText: "Rows 1–50 of 120 (page 1 of 3)" }).waitFor();
    // Sorted by score, highest first, across all pages.
    await detail.locator(".sort-button", { hasText: "score" }).click();
    await detail.locator(".sort-button", { hasText: "score" }).click();
    await detail.locator('th[aria-sort="descending"]', { hasText: "score" }).waitFor();
    assert.equal(await rows.first().locator("td").nth(2).innerText(), "119");
    await detail.locator(".pager button", { hasText: "Next" }).click();
    await detail.locator(".page-of", { hasText: "Rows 51–100 of 120" }).waitFor();
    assert.equal(await rows.first().locator("td").nth(2).innerText(), "69");

    // The same records as a tree: unfolded and walked with the keyboard.
    await detail.locator('[data-view-option="tree"]').click();
    const tree = detail.getByRole("tree", { name: "Records, as a tree" });
    await tree.waitFor();
    await tree.locator('[role="treeitem"][aria-level="1"]').focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowRight");
    const first = tree.locator('[role="treeitem"][aria-level="2"]').first();
    assert.equal(await first.getAttribute("aria-expanded"), "true");
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'title: "record 0"');
    await detail.locator('[data-view-option="raw"]').click();
    assert.equal(JSON.parse(await detail.locator(".asset-content-raw").innerText()).length, 120);

    await page.locator(".mission > .asset-summary .asset-item", { hasText: "Notes" }).click();
    const markdown = detail.locator(".markdown-view");
    await markdown.locator("h1", { hasText: "Findings" }).waitFor();
    assert.equal(await markdown.locator("strong").innerText(), "bold");
    assert.equal(await markdown.locator("script").count(), 0);
    assert.equal(await markdown.locator("a").getAttribute("target"), "_blank");
    assert.equal(await page.evaluate(() => window.__ran), undefined);
    await detail.locator("button.download", { hasText: "Download .md" }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a hop plan and a tool chain being written are kept across a reload, with a warning before leaving", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl);
    const dialogs = [];
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.type());
      void dialog.accept();
    });
    await signUp(page, newEmail("drafts"));
    await createSession(page, "Drafts");
    await proposeMission(page, { name: "Keep drafts", records: [{ title: "a", score: 1 }] });
    await page.click("text=Accept mission");
    await page.locator(".mission-head .badge", { hasText: "in progress" }).waitFor();
    await page.click("text=Plan next hop");
    const plan = page.locator('form[aria-label="Hop plan"]');
    await plan.locator('input[name="hop-name"]').fill("Rank them");
    await plan.locator('input[name="hop-goal"]').fill("best first");
    await plan.locator('input[name="asset-name"]').fill("Ranked");

    await page.reload();
    assert.deepEqual(dialogs, ["beforeunload"]);
    await plan.locator(".draft-note", { hasText: "Draft restored" }).waitFor();
    assert.equal(await plan.locator('input[name="hop-name"]').inputValue(), "Rank them");
    assert.equal(await plan.locator('input[name="hop-goal"]').inputValue(), "best first");
    assert.equal(await plan.locator('input[name="asset-name"]').inputValue(), "Ranked");
    // Discarded, the form is back to the hop's own values.
    await plan.locator("text=Discard draft").click();
    assert.equal(await plan.locator('input[name="hop-goal"]').inputValue(), "");
    assert.equal(await plan.locator(".draft-note").count(), 0);

    await plan.locator('input[name="hop-name"]').fill("Rank them");
    // A hop of its own output: a final one would have to write the mission's report.
    await plan.locator('input[name="hop-input"]').first().check();
    await plan.locator('input[name="asset-name"]').fill("Ranked");
    await plan.locator('select[name="asset-type"]').selectOption("object");
    await plan.locator('input[name="asset-is-array"]').check();
    await plan.getByRole("button", { name: "Propose plan", exact: true }).click();
    await page.locator('.hop-head .badge[data-status="hop_plan_proposed"]').waitFor();
    await page.click("text=Accept plan");
    await page.click("text=Start implementation");
    const editor = page.locator('form[aria-label="Implementation"]');
    await editor.locator('select[name="add-tool"]').selectOption("sort");
    const keys = editor.locator('[data-step-index="0"] [data-param="keys"]');
    await keys.locator("text=Add sort key").click();
    await keys.locator('input[aria-label="Sort key 1 field"]').fill("score");
    await keys.locator('select[aria-label="Sort key 1 direction"]').selectOption("descending");
    await editor.locator('.chain-check[data-check="valid"]').waitFor();

    await page.reload();
    await editor.locator(".draft-note", { hasText: "Draft restored" }).waitFor();
    assert.equal(await keys.locator('input[aria-label="Sort key 1 field"]').inputValue(), "score");
    assert.equal(await keys.locator('select[aria-label="Sort key 1 direction"]').inputValue(), "descending");
    await editor.locator('.chain-check[data-check="valid"]').waitFor();
    await editor.getByRole("button", { name: "Propose implementation", exact: true }).click();
    await page.locator('.hop-head .badge[data-status="hop_impl_proposed"]').waitFor();
    // Proposed, the drafts are gone and leaving asks nothing.
    // (The live event may show the new status a moment before the proposal's answer arrives.)
    await page.waitForFunction(
      () => Object.keys(window.localStorage).filter((k) => k.startsWith("missions.draft")).length === 0,
    );
    await page.reload();
    await page.locator('.hop-head .badge[data-status="hop_impl_proposed"]').waitFor();
    assert.deepEqual(dialogs, ["beforeunload", "beforeunload"]);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
