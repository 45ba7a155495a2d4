// Browser tests of fixing a chain: a failed hop revised and run again, and a literal value the
// tool would refuse shown before anything is proposed. A real server (SQLite) and Chromium.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  createSession,
  launchBrowser,
  newEmail,
  newPage,
  planHop,
  proposeMission,
  signUp,
  startServer,
} from "./harness.mjs";

const RECORDS = [
  { title: "alpha", score: 2 },
  { title: "beta", score: 1 },
  { title: "gamma", score: 3 },
];

/** A signed-in page with an accepted mission, its first hop planned and its editor open with
 * one step of `tool`. */
async function hopInEditor(browser, baseUrl, label, tool = "filter") {
  const opened = await newPage(browser, baseUrl);
  const { page } = opened;
  await signUp(page, newEmail(label));
  await createSession(page, "Fixing");
  await proposeMission(page, { name: "Keep some records", records: RECORDS });
  await page.click("text=Accept mission");
  await page.locator('.mission-head .badge[data-status="in_progress"]').waitFor();
  await planHop(page, { name: "Keep", output: "Kept", type: "object" });
  const editor = page.locator('form[aria-label="Implementation"]');
  await editor.locator('select[name="add-tool"]').selectOption(tool);
  const step = editor.locator('[data-step-index="0"]');
  await step.waitFor();
  return { ...opened, editor, step };
}

/** Types `value` into a step's parameter `name` through its JSON switch. */
async function paramAsJson(step, name, value) {
  const param = step.locator(`[data-param="${name}"]`);
  await param.getByRole("button", { name: "JSON", exact: true }).click();
  await param.locator('textarea[name="param-literal"]').fill(JSON.stringify(value));
}

describe("fixing a chain", { concurrency: 2 }, () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("a failed hop is revised: the editor shows the chain it had and the failure; fixed, it runs and completes", async () => {
    const { context, page, problems, editor, step } = await hopInEditor(
      browser,
      server.baseUrl,
      "revise",
      "group_reduce",
    );
    // Summing the titles is a well-formed reduction over a field the records have: the check
    // passes, and the run fails on the data (titles are text).
    await step.locator('[data-param="key"]').getByLabel("key value").fill("title");
    await step.locator('[data-param="reductions"] select[name="param-kind"]').selectOption("literal");
    await paramAsJson(step, "reductions", [{ name: "total", op: "sum", path: "title" }]);
    await editor.locator('.chain-check[data-check="valid"]').waitFor();
    await editor.getByRole("button", { name: "Save and accept" }).click();
    await page.locator('.hop-head .badge[data-status="hop_impl_ready"]').waitFor();
    await page.click("text=Execute hop");
    await page.locator('.hop-head .badge[data-status="failed"]').waitFor();
    await page.locator('.step[data-step-status="failed"] .step-error', { hasText: "cannot sum" }).waitFor();

    await page.click("text=Revise implementation");
    await page.locator('.hop-head .badge[data-status="hop_impl_started"]').waitFor();
    const revised = page.locator('form[aria-label="Implementation"]');
    // The failure that sent it back, in the editor, and the chain it had.
    const note = revised.locator('.draft-note[role="status"]', { hasText: "Its last run failed" });
    await note.waitFor();
    assert.match(await note.innerText(), /cannot sum/);
    assert.equal(await revised.locator("[data-step-index]").count(), 1);
    const again = revised.locator('[data-step-index="0"]');
    assert.equal(await again.locator('[data-param="items"] select[name="param-kind"]').inputValue(), "asset");
    const param = again.locator('[data-param="reductions"]');
    await param.getByRole("button", { name: "JSON", exact: true }).click();
    const json = param.locator('textarea[name="param-literal"]');
    assert.deepEqual(JSON.parse(await json.inputValue()), [{ name: "total", op: "sum", path: "title" }]);

    // Fixed: the scores summed, per title.
    await json.fill(JSON.stringify([{ name: "total", op: "sum", path: "score" }]));
    await revised.locator('.chain-check[data-check="valid"]').waitFor();
    await revised.getByRole("button", { name: "Save and accept" }).click();
    await page.locator('.hop-head .badge[data-status="hop_impl_ready"]').waitFor();
    // The note about the failure belongs to the editor, which is gone.
    assert.equal(await page.locator(".draft-note", { hasText: "Its last run failed" }).count(), 0);
    await page.click("text=Execute hop");
    await page.locator('.hop-head .badge[data-status="completed"]').waitFor();
    await page.locator('.step[data-step-status="completed"]').waitFor();
    // The failure is behind it: the hop says nothing of it any more.
    assert.equal(await page.locator(".hop-error").count(), 0);
    assert.equal(await page.locator('.step[data-step-status="failed"]').count(), 0);

    // What it wrote: a group per title with its total.
    await page.locator(".mission > .asset-summary .asset-item", { hasText: "Kept" }).click();
    const detail = page.locator('[aria-label="Asset detail"]');
    await detail.locator('[data-view-option="raw"]').click();
    const kept = JSON.parse(await detail.locator(".asset-content-raw").innerText());
    assert.deepEqual(
      kept.map((group) => [group.key, group.values.total]),
      [
        ["alpha", 2],
        ["beta", 1],
        ["gamma", 3],
      ],
    );
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a literal the tool would refuse is named before proposing, and the propose buttons wait until it is fixed", async () => {
    const { context, page, problems, editor, step } = await hopInEditor(browser, server.baseUrl, "refused");
    const check = editor.locator('.chain-check[data-check="invalid"]');
    // A regular expression that does not compile: the filter's own check refuses it.
    await paramAsJson(step, "conditions", [{ path: "title", op: "matches", value: "(a" }]);
    await check.filter({ hasText: "invalid regular expression" }).waitFor();
    // `>=` is how people write it, but not one of the filter's operators: its schema refuses it.
    await step
      .locator('[data-param="conditions"] textarea[name="param-literal"]')
      .fill(JSON.stringify([{ path: "score", op: ">=", value: 2 }]));
    await check.filter({ hasText: "is not one of the allowed values" }).waitFor();
    const said = await check.innerText();
    // The step, the parameter, the value and why, in one line.
    assert.match(said, /step 1 \("Filter a list"\): parameter "conditions" cannot take the value \[.*">=".*\]/);
    assert.match(said, /conditions\[0\]\.op: '>=' is not one of the allowed values/);

    const buttons = [
      editor.getByRole("button", { name: "Save and accept" }),
      editor.getByRole("button", { name: "Propose implementation" }),
    ];
    for (const button of buttons) {
      assert.equal(await button.getAttribute("aria-disabled"), "true");
      const reasonId = await button.getAttribute("aria-describedby");
      assert.match(await page.locator(`[id="${reasonId}"]`).innerText(), /Correct the problems/);
    }
    // Submitted anyway (the keyboard's Enter): nothing is sent, the hop stays in its editor.
    const proposals = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && /\/api\/hops\/[^/]+\/implementation$/.test(request.url())) {
        proposals.push(request.url());
      }
    });
    await buttons[0].focus();
    await page.keyboard.press("Enter");
    await buttons[1].focus();
    await page.keyboard.press("Enter");
    await page.waitForTimeout(500);
    assert.deepEqual(proposals, []);
    await page.locator('.hop-head .badge[data-status="hop_impl_started"]').waitFor();

    // Fixed in the form: the operator chosen from the tool's own list.
    await step.locator('[data-param="conditions"]').getByRole("button", { name: "Form", exact: true }).click();
    await step.locator('select[aria-label="Condition 1 operator"]').selectOption("gte");
    await editor.locator('.chain-check[data-check="valid"]').waitFor();
    for (const button of buttons) assert.notEqual(await button.getAttribute("aria-disabled"), "true");
    await buttons[1].click();
    await page.locator('.hop-head .badge[data-status="hop_impl_proposed"]').waitFor();
    assert.equal(proposals.length, 1);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
