// Browser tests of the connections screen and the tool lab: a real server (SQLite) and
// Debian's Chromium, driven by playwright-core. Run after `npm run build`.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { launchBrowser, newEmail, newPage, signUp, startServer } from "./harness.mjs";

const SECRET = "sk-browser-secret-41";
const RECORDS = [
  { title: "b", score: 2 },
  { title: "a", score: 1 },
  { title: "c", score: 3 },
];

/** Calls the API from the signed-in page (its cookie, the CSRF token from /api/auth/me). */
async function api(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = await (await fetch("/api/auth/me")).json();
      const response = await fetch(path, {
        method,
        headers: { "content-type": "application/json", "x-csrf-token": me.csrf_token },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },
    { method, path, body },
  );
}

/** A mission in progress whose first hop has one `web_search` step using `connectionId`. */
async function missionUsing(page, connectionId) {
  const session = await api(page, "POST", "/api/sessions", { name: "Search work" });
  const objects = { type: "object", is_array: true };
  let mission = await api(page, "POST", `/api/sessions/${session.id}/mission`, {
    name: "Find tides",
    success_criteria: ["found"],
    assets: [
      { name: "Records", schema_definition: objects, role: "input", content: RECORDS },
      { name: "Report", schema_definition: { type: "search_result", is_array: true }, role: "output" },
    ],
  });
  mission = await api(page, "POST", `/api/missions/${mission.id}/accept`);
  let hop = await api(page, "POST", `/api/missions/${mission.id}/hops/start`);
  hop = await api(page, "POST", `/api/hops/${hop.id}/plan`, {
    name: "Search the web",
    success_criteria: ["results"],
    is_final: true,
    inputs: [mission.asset_summary.inputs[0]],
    output: { type: "existing_asset", mission_asset_id: mission.asset_summary.outputs[0] },
  });
  await api(page, "POST", `/api/hops/${hop.id}/plan/accept`);
  await api(page, "POST", `/api/hops/${hop.id}/implementation/start`);
  hop = await api(page, "POST", `/api/hops/${hop.id}/implementation`, {
    steps: [
      {
        tool_id: "web_search",
        name: "Search tides",
        parameter_mapping: { query: { type: "literal", value: "tides" } },
        result_mapping: { results: { type: "asset_field", state_asset: mission.asset_summary.outputs[0] } },
      },
    ],
  });
  hop = await api(page, "POST", `/api/hops/${hop.id}/implementation/accept`);
  await api(page, "POST", `/api/tool-steps/${hop.tool_steps[0].id}/configure`, {
    connections: { search_provider: connectionId },
  });
  return mission;
}

describe("connections and the tool lab", { concurrency: 2 }, () => {
  let server;
  let browser;

  before(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("a connection is saved with its secret shown only as set, checked, edited, and kept while a step uses it", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl);
    await signUp(page, newEmail("connections"));
    await page.click("nav.topbar-links >> text=Connections");
    await page.locator("h2", { hasText: "Connections" }).waitFor();
    await page.selectOption('select[name="new-connection-type"]', "searxng");
    const form = page.locator('form[aria-label="New connection"]');
    await form.locator('input[name="connection-name"]').fill("Office search");
    await form.locator('input[name="connection-base_url"]').fill("http://127.0.0.1:9");
    await form.locator('input[name="connection-api_key"]').fill(SECRET);
    await form.locator('button[type="submit"]').click();
    const item = page.locator(".connection", { hasText: "Office search" });
    await item.waitFor();
    assert.match(await item.innerText(), /api_key set/);
    assert.equal((await page.content()).includes(SECRET), false);

    // Loopback is not a public address: the check fails and says why.
    await item.locator("text=Check connection").click();
    await item.locator(".check-failed").waitFor();
    assert.match(await item.locator(".connection-check-message").innerText(), /cannot connect|unreachable/);

    await item.locator("text=Edit").click();
    const edit = item.locator('form[aria-label="Edit Office search"]');
    assert.equal(
      await edit.locator('input[name="connection-api_key"]').getAttribute("placeholder"),
      "set (hidden; type to replace)",
    );
    await edit.locator('input[name="connection-name"]').fill("Team search");
    await edit.locator('button[type="submit"]').click();
    const renamed = page.locator(".connection", { hasText: "Team search" });
    await renamed.waitFor();
    assert.match(await renamed.innerText(), /not checked yet/);

    const id = await renamed.getAttribute("data-connection-id");
    await missionUsing(page, id);
    await renamed.locator("text=Delete").click();
    await renamed.locator(".error-banner", { hasText: 'step "Search tides" of hop "Search the web"' }).waitFor();
    await page.reload();
    await page.locator(".connection", { hasText: "Team search" }).waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("the tool lab runs a tool on typed values, shows its output and saves it as an asset", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl);
    await signUp(page, newEmail("toollab"));
    const session = await api(page, "POST", "/api/sessions", { name: "Lab" });
    await api(page, "POST", `/api/sessions/${session.id}/mission`, {
      name: "Keep sorted",
      success_criteria: ["kept"],
      assets: [{ name: "Notes", schema_definition: { type: "string" }, role: "input", content: "x" }],
    });
    await page.click("nav.topbar-links >> text=Tool lab");
    await page.selectOption('select[name="lab-tool"]', "sort");
    const form = page.locator('form[aria-label="Run Sort a list"]');
    await form.waitFor();
    await form.locator('textarea[name="lab-parameters"]').fill("{ not json");
    await form.locator("text=Run tool").click();
    await form.locator(".step-error", { hasText: "The parameters are not JSON" }).waitFor();
    await form.locator('textarea[name="lab-parameters"]').fill(
      JSON.stringify({
        items: { type: "literal", value: RECORDS },
        keys: { type: "literal", value: [{ path: "score" }] },
      }),
    );
    await form.locator("text=Run tool").click();
    const output = form.locator(".toollab-output", { hasText: "items" });
    await output.waitFor();
    const shown = JSON.parse(await output.locator("pre").innerText());
    assert.deepEqual(
      shown.map((r) => r.title),
      ["a", "b", "c"],
    );
    await output.locator('select[name="save-items-mission"]').selectOption({ label: "Keep sorted" });
    await output.locator('input[name="save-items-name"]').fill("Sorted records");
    await output.locator("button", { hasText: "Save as asset" }).click();
    await output.locator("text=Saved as “Sorted records”.").waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  });
});
