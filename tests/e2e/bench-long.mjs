// Long-run benchmark (not a test: nothing here passes or fails). Run on demand against the
// built app:   trunk build --release && node tests/e2e/bench-long.mjs [SCENARIO.json]
// (with a file, it measures that scenario only)
//
// In headless Chromium, for the two-million-step run and the largest cluster the limits
// allow (tests/e2e/workloads.mjs): time to compute the whole run after importing it, the
// live heap at the end (against the page's budget), the checkpoint spacing if history was
// thinned, and 100 random seeks: the seek in the session with its view model (the app's
// data-seek-ms), and from the scrubber's input event to the step shown.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';
import { CHROME, CHROMIUM_ARGS } from './chromium.mjs';
import { largest, longRun } from './workloads.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = process.env.HIGHWATER_DIST ?? path.join(ROOT, 'dist');
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const mib = (b) => (b / 1048576).toFixed(0);

async function measure(browser, site, name, scenario) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(site.url);
  await page.getByTestId('start').waitFor();
  const t0 = Date.now();
  await page.getByTestId('file-input').setInputFiles({ name: `${name}.json`, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)) });
  await page.waitForFunction(() => {
    const of = document.querySelector('.hw-of');
    return (of && !/computing/.test(of.textContent)) || document.querySelector('[data-testid="cut"]');
  }, null, { timeout: 900_000 });
  const computeMs = Date.now() - t0;
  const horizon = Number(await page.getByTestId('scrubber').getAttribute('max'));
  const main = page.locator('main.hw-lab');
  const heap = Number(await main.getAttribute('data-heap-bytes'));
  const budget = Number(await main.getAttribute('data-memory-budget'));
  const thinned = await page.getByTestId('thinned').getAttribute('data-spacing').catch(() => null);
  const seeks = await page.evaluate(async (max) => {
    const el = document.querySelector('[data-testid="scrubber"]');
    const step = () => document.querySelector('[data-testid="step"]').textContent.replace(/\D/g, '');
    let seed = 7;
    const out = [];
    for (let i = 0; i < 100; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const target = seed % (max + 1);
      const t = performance.now();
      el.value = String(target);
      el.dispatchEvent(new Event('input', { bubbles: true }));
      while (step() !== String(target)) await new Promise((r) => setTimeout(r, 0));
      out.push([Number(document.querySelector('[data-seek-ms]').dataset.seekMs), performance.now() - t]);
    }
    return out;
  }, horizon);
  await page.close();
  const engine = seeks.map((s) => s[0]);
  const screen = seeks.map((s) => s[1]);
  return { name, horizon, computeMs, heap, budget, thinned, engine: [pct(engine, 50), pct(engine, 99)], screen: [pct(screen, 50), pct(screen, 99)] };
}

const site = await startServer({ dir: DIST });
const browser = await chromium.launch({ executablePath: CHROME, args: CHROMIUM_ARGS });
const file = process.argv[2];
const rows = file
  ? [await measure(browser, site, path.basename(file, '.json'), JSON.parse(readFileSync(file, 'utf8')))]
  : [await measure(browser, site, 'long-run', longRun), await measure(browser, site, 'largest', largest)];
await browser.close();
await site.close();
console.log(`Chromium ${browser.version()}\n`);
const ms = ([a, b]) => `${a.toFixed(1)} / ${b.toFixed(1)} ms`;
console.log('| run | steps | compute | live heap / budget | checkpoints thinned to | seek + view model p50 / p99 | seek to screen p50 / p99 |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.horizon.toLocaleString('en')} | ${(r.computeMs / 1000).toFixed(1)} s | ${mib(r.heap)} / ${mib(r.budget)} MiB | ${r.thinned ?? 'not thinned'} | ${ms(r.engine)} | ${ms(r.screen)} |`);
}
