// Benchmark: how soon a session page with a large mission can be used, in Chromium.
//
// Builds the SPA (vite build) and prints the gzip size of its JavaScript, then runs the real
// server (SQLite) and Debian's Chromium. One user's session gets a mission of 30 completed
// hops and 200 assets, made through the transition routes as the SPA would make it: the
// mission proposed with 100 assets and accepted, then per hop: start, propose the plan (a new
// output), accept it, start the implementation, propose a chain of `sort` steps (each writing
// a new intermediate), accept it, execute it and wait for it to complete.
// Measured: from navigation start to the mission panel, its 30 hops listed and a mission
// action button enabled (a MutationObserver reads `performance.now()` the moment all three
// are in the page). Cold: a new browser context (empty cache) per load; warm: reloads of one
// page. Prints medians in ms. Target: under 500 ms on localhost.
//
//     node tests/bench/bench_session_page.mjs [--no-build] [--runs N]
import { launchBrowser, newEmail, newPage, signUp, startServer } from "../../frontend/tests/harness.mjs";
import { buildSpa, median, printJsSizes } from "./spa.mjs";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 15;
const HOPS = 30;
const MISSION_ASSETS = 100; // the most a mission proposal may carry

buildSpa(args);
printJsSizes();

const OBJECTS = { type: "object", is_array: true };
const RECORDS = Array.from({ length: 20 }, (_, i) => ({ name: `record ${i}`, score: (i * 37) % 20 }));

/** The JSON API through the signed-in page's cookies, with its CSRF token. */
async function apiOf(page) {
  const me = await (await page.request.get("/api/auth/me")).json();
  const headers = { "X-CSRF-Token": me.csrf_token };
  const call = async (method, path, data) => {
    const answer = await page.request.fetch(`/api${path}`, { method, data, headers });
    if (!answer.ok()) throw new Error(`${method} ${path}: ${answer.status()} ${await answer.text()}`);
    return answer.json();
  };
  return { get: (path) => call("GET", path), post: (path, data) => call("POST", path, data) };
}

function sortStep(source, target, index) {
  return {
    tool_id: "sort",
    name: `Sort ${index + 1}`,
    parameter_mapping: {
      items: { type: "asset_field", state_asset: source },
      keys: { type: "literal", value: [{ path: index % 2 ? "name" : "score" }] },
    },
    result_mapping: { items: { type: "asset_field", state_asset: target } },
  };
}

/** One hop of `mission` from start to completed; `intermediates` new hop-scoped assets. */
async function completeHop(api, mission, sequence, intermediates) {
  let hop = await api.post(`/missions/${mission.id}/hops/start`);
  const source = mission.asset_summary.inputs[sequence % mission.asset_summary.inputs.length];
  hop = await api.post(`/hops/${hop.id}/plan`, {
    name: `Rank part ${sequence + 1}`,
    description: "Sort one part of the records",
    goal: "ranked records",
    success_criteria: ["sorted"],
    is_final: false,
    inputs: [source],
    output: {
      type: "new_asset",
      asset: { name: `Ranked part ${sequence + 1}`, schema_definition: OBJECTS, role: "output" },
    },
  });
  await api.post(`/hops/${hop.id}/plan/accept`);
  hop = await api.post(`/hops/${hop.id}/implementation/start`);
  const chain = [source, ...Array.from({ length: intermediates }, () => crypto.randomUUID())];
  chain.push(hop.asset_summary.outputs[0]);
  const steps = chain.slice(1).map((target, i) => sortStep(chain[i], target, i));
  await api.post(`/hops/${hop.id}/implementation`, { steps });
  await api.post(`/hops/${hop.id}/implementation/accept`);
  await api.post(`/hops/${hop.id}/execute`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    hop = await api.get(`/hops/${hop.id}`);
    if (hop.status === "completed") return;
    if (hop.status === "failed" || Date.now() > deadline) throw new Error(`hop ${sequence + 1}: ${hop.status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A session whose mission has HOPS completed hops and 200 assets; returns its id. */
async function buildSession(api) {
  const session = await api.post("/sessions", { name: "Large mission" });
  const assets = Array.from({ length: MISSION_ASSETS }, (_, i) =>
    i % 2 === 0
      ? { name: `Records ${i / 2 + 1}`, schema_definition: OBJECTS, role: "input", content: RECORDS }
      : { name: `Report ${(i + 1) / 2}`, schema_definition: OBJECTS, role: "output" },
  );
  let mission = await api.post(`/sessions/${session.id}/mission`, {
    name: "Thirty hops",
    description: "Rank the records part by part",
    goal: "ranked reports",
    success_criteria: ["every part ranked"],
    assets,
  });
  mission = await api.post(`/missions/${mission.id}/accept`);
  // Each hop adds its output and two or three intermediates: 100 + 30 x 3 + 10 = 200.
  const extra = 200 - MISSION_ASSETS - HOPS * 3;
  for (let h = 0; h < HOPS; h += 1) await completeHop(api, mission, h, h < extra ? 3 : 2);
  return session.id;
}

// Records when each part first appears (window.__marks) and when all three are there
// (window.__ready), in ms since navigation start.
const READY = `(() => {
  const parts = {
    mission: () => document.querySelector(".mission .mission-name"),
    hops: () => document.querySelectorAll(".mission .hop-list .hop-item").length === ${HOPS},
    button: () => document.querySelector(".mission > .transition-buttons button[data-transition]:not([aria-disabled])"),
  };
  window.__marks = {};
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const task of list.getEntries()) window.__longTasks.push([task.startTime, task.duration]);
  }).observe({ type: "longtask", buffered: true });
  const observer = new MutationObserver(() => {
    for (const [name, seen] of Object.entries(parts)) {
      if (!(name in window.__marks) && seen()) window.__marks[name] = performance.now();
    }
    if (Object.keys(window.__marks).length === 3) {
      window.__ready = performance.now();
      observer.disconnect();
    }
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})()`;

/** Loads the session page in `page` and returns the ms from navigation start to ready. */
async function timeLoad(page, path) {
  await page.goto(path, { waitUntil: "commit" });
  await page.waitForFunction(() => window.__ready, null, { polling: 50 });
  return page.evaluate(() => {
    const [navigation] = performance.getEntriesByType("navigation");
    const api = performance
      .getEntriesByType("resource")
      .filter((entry) => entry.name.includes("/api/"))
      .map(
        (entry) =>
          `${new URL(entry.name).pathname.replace(/[0-9a-f-]{36}/g, "{id}")} ${entry.startTime.toFixed(0)}-${entry.responseEnd.toFixed(0)}` +
          ` (${(entry.decodedBodySize / 1024).toFixed(0)} kB)`,
      );
    const longTasks = window.__longTasks
      .filter(([start]) => start < window.__ready)
      .map(([start, duration]) => `${start.toFixed(0)}+${duration.toFixed(0)}`);
    return {
      ready: window.__ready,
      ...window.__marks,
      domContentLoaded: navigation.domContentLoadedEventEnd,
      api,
      longTasks,
    };
  });
}

const [server, browser] = await Promise.all([startServer(), launchBrowser()]);
try {
  const { context, page } = await newPage(browser, server.baseUrl);
  await signUp(page, newEmail("bench-session-page"));
  const api = await apiOf(page);
  const built = Date.now();
  const sessionId = await buildSession(api);
  const sessions = await api.get(`/sessions/${sessionId}`);
  const mission = await api.get(`/missions/${sessions.mission_id}`);
  const assetIds = new Set(Object.keys(mission.mission_asset_map));
  for (const hop of mission.hops) for (const id of Object.keys(hop.hop_asset_map)) assetIds.add(id);
  console.log(
    `Mission built through the transition routes in ${((Date.now() - built) / 1000).toFixed(1)} s: ` +
      `${mission.hops.length} hops (${mission.hops.filter((h) => h.status === "completed").length} completed), ` +
      `${assetIds.size} assets`,
  );
  const state = await context.storageState();
  const path = `/sessions/${sessionId}`;

  const details = [];
  for (let i = 0; i < runs; i += 1) {
    const fresh = await browser.newContext({ baseURL: server.baseUrl, storageState: state });
    await fresh.addInitScript(READY);
    details.push(await timeLoad(await fresh.newPage(), path));
    await fresh.close();
  }
  const cold = details.map((d) => d.ready);
  const warmContext = await browser.newContext({ baseURL: server.baseUrl, storageState: state });
  await warmContext.addInitScript(READY);
  const warmPage = await warmContext.newPage();
  await timeLoad(warmPage, path); // fills the cache
  const warm = [];
  for (let i = 0; i < runs; i += 1) warm.push((await timeLoad(warmPage, path)).ready);
  await warmContext.close();

  console.log(`Session page interactive (${HOPS} hops, 200 assets; ${runs} loads, median):`);
  console.log(`  cold (new context, empty cache): ${median(cold).toFixed(1)} ms (target: under 500 ms)`);
  console.log(`  warm (reload, cached JavaScript): ${median(warm).toFixed(1)} ms (target: under 500 ms)`);
  console.log(
    `  cold range: ${Math.min(...cold).toFixed(0)}-${Math.max(...cold).toFixed(0)} ms; cold, median of each part:`,
  );
  for (const part of ["domContentLoaded", "mission", "hops", "button"]) {
    console.log(`    ${part}: ${median(details.map((d) => d[part])).toFixed(1)} ms`);
  }
  const typical = details.find((d) => d.ready === median(cold));
  console.log(`  API requests of the median cold load (start-end ms, body size): ${typical.api.join("; ")}`);
  console.log(`  its long tasks before ready (start+duration, ms): ${typical.longTasks.join("; ") || "none"}`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
