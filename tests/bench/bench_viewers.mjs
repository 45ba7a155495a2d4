// Benchmark: the asset viewers in Chromium, and the size of the SPA's JavaScript.
//
// Builds the SPA (vite build), prints each JavaScript file's gzip size and the total, then
// runs the real server (SQLite) and Debian's Chromium: a mission whose input holds 1,000
// records, its detail opened (the first time with the request, then from the cache), the
// table sorted by a column, and the JSON tree view. Prints medians in ms.
// Targets: the 1,000-record table under 100 ms; all JavaScript under 150 kB gzip.
//
//     node tests/bench/bench_viewers.mjs [--no-build] [--runs N]
import { createSession, launchBrowser, newEmail, newPage, signUp, startServer } from "../../frontend/tests/harness.mjs";
import { buildSpa, median, printJsSizes } from "./spa.mjs";

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 15;

buildSpa(args);
printJsSizes();

const RECORDS = Array.from({ length: 1000 }, (_, i) => ({
  id: i,
  title: `Record number ${i}`,
  score: (i * 7919) % 1000,
  tags: ["a", "b"].slice(0, i % 3),
  source: { name: `source ${i % 17}`, url: `https://example.com/${i}` },
}));

/** Clicks `selector` and times until `done` matches and the next frame has been painted. */
function timeClick(page, selector, done) {
  return page.evaluate(
    async ([selector, done]) => {
      const start = performance.now();
      document.querySelector(selector).click();
      await new Promise((resolve) => {
        const check = () => (document.querySelector(done) ? resolve() : requestAnimationFrame(check));
        check();
      });
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return performance.now() - start;
    },
    [selector, done],
  );
}

const [server, browser] = await Promise.all([startServer(), launchBrowser()]);
try {
  const { context, page } = await newPage(browser, server.baseUrl);
  await signUp(page, newEmail("bench-viewers"));
  await createSession(page, "Bench");
  const form = page.locator('form[aria-label="Propose a mission"]');
  await form.locator('input[name="mission-name"]').fill("A thousand records");
  const input = form.locator('[data-asset-index="0"]');
  await input.locator('input[name="asset-name"]').fill("Records");
  await input.locator('select[name="asset-type"]').selectOption("object");
  await input.locator('input[name="asset-is-array"]').check();
  await input.locator('textarea[name="asset-content"]').fill(JSON.stringify(RECORDS));
  await form.locator('[data-asset-index="1"] input[name="asset-name"]').fill("Report");
  await form.getByRole("button", { name: "Propose mission", exact: true }).click();
  await page.locator(".mission-name", { hasText: "A thousand records" }).waitFor();
  await page.locator(".mission > .asset-summary .asset-item", { hasText: "Records" }).waitFor();

  const item = ".mission > .asset-summary .asset-item";
  const table = '[aria-label="Asset detail"] .record-table tbody tr';
  const close = '[aria-label="Asset detail"] .row.spread > button.link';
  const first = await timeClick(page, item, table);
  const cached = [];
  const sorts = [];
  const trees = [];
  for (let i = 0; i < runs; i += 1) {
    await page.locator(close).click();
    await page.locator('[aria-label="Asset detail"]').waitFor({ state: "detached" });
    cached.push(await timeClick(page, item, table));
    sorts.push(await timeClick(page, '[aria-label="Asset detail"] .sort-button', 'th[aria-sort="ascending"]'));
    trees.push(await timeClick(page, '[data-view-option="tree"]', '[role="tree"] [aria-level="2"]'));
    await page.locator('[data-view-option="table"]').click();
  }
  console.log(`1,000 records (${runs} runs, median):`);
  console.log(`  detail opened, first time (with its request): ${first.toFixed(1)} ms`);
  console.log(`  detail opened, table rendered from the cache: ${median(cached).toFixed(1)} ms (target: under 100 ms)`);
  console.log(`  table sorted by a column: ${median(sorts).toFixed(1)} ms`);
  console.log(`  switched to the JSON tree: ${median(trees).toFixed(1)} ms`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
