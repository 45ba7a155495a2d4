// Browser test of the chat assistant: a real server (SQLite) whose model is the local
// OpenAI-compatible test server (tests/assistant/model_server.py, its rule-based designer),
// and Debian's Chromium, driven by playwright-core.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";

import { createSession, launchBrowser, newEmail, newPage, signUp, startModelServer, startServer } from "./harness.mjs";

const API_KEY = "sk-browser-test-key-0042";

/** The card of the latest proposal of `kind` in the chat. */
function card(page, kind, state = "open") {
  return page.locator(`.chat .proposal-card[data-proposal-kind="${kind}"][data-state="${state}"]`).last();
}

/** Records every text the streaming reply shows, from now on. */
async function watchStreaming(page) {
  await page.evaluate(() => {
    window.__streamed = [];
    const seen = () => {
      for (const node of document.querySelectorAll(".message-live .live-text")) {
        const text = node.textContent ?? "";
        if (text && window.__streamed.at(-1) !== text) window.__streamed.push(text);
      }
    };
    new MutationObserver(seen).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

describe("the chat assistant", () => {
  let model;
  let server;
  let browser;

  before(async () => {
    model = await startModelServer({ delay: 0.06 });
    [server, browser] = await Promise.all([
      startServer({
        // The guarded outbound client refuses loopback unless allowed (docs/security.md).
        env: {
          LLM_BASE_URL: model.baseUrl,
          LLM_API_KEY: API_KEY,
          LLM_MODEL: "designer",
          OUTBOUND_ALLOW_HOSTS: "127.0.0.1",
        },
      }),
      launchBrowser(),
    ]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await model?.stop();
  });

  test("a goal typed in the chat: the reply streams in, the mission card is accepted; a plan sent back with a reason is revised; the chain is accepted and the hop executed from the cards", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl);
    await signUp(page, newEmail("assistant"));
    await createSession(page, "With the assistant");
    await page.locator(".assistant-chip", { hasText: "designer" }).waitFor();
    const second = await context.newPage();
    await second.goto(page.url());
    await second.locator(".assistant-chip").waitFor();

    await watchStreaming(page);
    await page.fill('textarea[name="message"]', "I have scored records and want them ranked by score in a report.");
    await page.click('.chat-form button[type="submit"]');
    const mission = card(page, "mission");
    await mission.waitFor();
    const streamed = await page.evaluate(() => window.__streamed);
    assert.ok(streamed.length >= 3, `the reply came in pieces: ${JSON.stringify(streamed)}`);
    assert.ok(
      streamed.every((text, i) => i === 0 || text.startsWith(streamed[i - 1])),
      "each piece extends the last",
    );
    const reply = page.locator(".chat .message-assistant", { hasText: "Here is a mission to rank your records" });
    await reply.waitFor();
    assert.equal(await reply.locator(".message-content").innerText(), streamed.at(-1).trim());
    await mission.locator(".proposal-title", { hasText: "Rank records" }).waitFor();
    await mission.locator(".proposal-assets", { hasText: "Records" }).waitFor();
    // The second tab follows live: the reply and the card, without reloading.
    await second.locator(".chat .message-assistant", { hasText: "Here is a mission" }).waitFor();
    await card(second, "mission").waitFor();

    await mission.locator("button", { hasText: "Accept mission" }).click();
    await page.locator('.mission-head .badge[data-status="in_progress"]').waitFor();
    await card(page, "mission", "accepted").waitFor();
    await card(second, "mission", "accepted").waitFor(); // the other tab's card follows the acceptance

    // Accepted, the assistant proposes the hop's plan; sent back with a reason, it revises it.
    const plan = card(page, "hop_plan");
    await plan.locator(".proposal-title", { hasText: "Rank the records" }).waitFor();
    await plan.locator('textarea[name="proposal-reason"]').fill("call it Sort by score");
    await plan.locator("button", { hasText: "Reject plan" }).click();
    await page.locator(".chat .message-user", { hasText: "I sent it back: call it Sort by score" }).waitFor();
    const revised = card(page, "hop_plan");
    await revised.locator(".proposal-title", { hasText: "Sort by score" }).waitFor();
    await page.locator('.chat .proposal-card[data-proposal-kind="hop_plan"][data-state="superseded"]').waitFor();
    await revised.locator("button", { hasText: "Accept plan" }).click();

    // Then its tool chain: accepted and executed from its card.
    const chain = card(page, "hop_implementation");
    await chain.locator(".proposal-step", { hasText: "filter" }).waitFor();
    await chain.locator(".proposal-step", { hasText: "sort" }).waitFor();
    await chain.locator("button", { hasText: "Accept implementation" }).click();
    const accepted = card(page, "hop_implementation", "accepted");
    await accepted.locator("button", { hasText: "Execute hop" }).click();
    await page.locator('.mission-head .badge[data-status="completed"]').waitFor();
    await page.locator(".chat .message-assistant", { hasText: "is completed" }).waitFor();
    await page.locator('.chat .status-line[data-transition="complete_hop"]').waitFor();
    await second.locator('.chat .status-line[data-transition="complete_hop"]').waitFor();

    const file = join(mkdtempSync(join(tmpdir(), "missions-screens-")), "assistant.png");
    await page.screenshot({ path: file, fullPage: true });
    console.log(`screenshot: ${file}`);
    const html = await page.content();
    assert.ok(!html.includes(API_KEY), "the model's key never reaches the page");
    assert.deepEqual(problems, []);
    await context.close();
  });

  test("a running reply can be stopped from the chat; what it wrote is kept", async () => {
    const { context, page, problems } = await newPage(browser, server.baseUrl);
    await signUp(page, newEmail("stop"));
    await createSession(page, "Stopping");
    await page.locator(".assistant-chip").waitFor();
    // The designer answers a message that says `slowly` slowly enough to stop it.
    await page.fill('textarea[name="message"]', "Tell me a long story, slowly");
    await page.click('.chat-form button[type="submit"]');
    const live = page.locator(".chat .message-live");
    await live.waitFor();
    await live.locator("button", { hasText: "Stop" }).click();
    await page.locator('.chat .message-assistant[data-outcome="cancelled"]').waitFor();
    assert.match(await page.locator('.chat .message-assistant[data-outcome="cancelled"]').innerText(), /\(Stopped\.\)/);
    assert.deepEqual(problems, []);
    await context.close();
  });
});
