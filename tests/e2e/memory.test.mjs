// Browser tests of long and large runs (issue 12): a run of two million steps is computed
// to its end within the page's memory budget and stays seekable; the largest cluster the
// limits allow runs or is refused with a reason; a page that does run out of memory says
// so, offers the start screen, and a reload of its link does not crash again.
// Build first: `trunk build --release` (scripts/dev test does).
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';
import { CHROME, CHROMIUM_ARGS } from './chromium.mjs';
import { largest, longRun } from './workloads.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = process.env.HIGHWATER_DIST ?? path.join(ROOT, 'dist');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

let site;
let browser;
let context;
let page;
let pageErrors;

before(async () => {
  assert.ok(existsSync(path.join(DIST, 'index.html')), `${DIST}/index.html missing: run trunk build --release first`);
  site = await startServer({ dir: DIST });
  browser = await chromium.launch({ executablePath: CHROME, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-US' });
  page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
});

afterEach(async () => {
  await context?.close();
});

const shot = (name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
const importScenario = async (name, scenario) => {
  await page.goto(site.url);
  await page.getByTestId('start').waitFor();
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)) });
};
/** Waits until computing ahead ends: the run finished, was cut, or stopped. */
const waitSettled = (timeout) =>
  page.waitForFunction(() => {
    const of = document.querySelector('.hw-of');
    return (of && !/computing|计算中/.test(of.textContent)) || document.querySelector('[data-testid="cut"]');
  }, null, { timeout });
const heap = async () => {
  const main = page.locator('main.hw-lab');
  return { live: Number(await main.getAttribute('data-heap-bytes')), budget: Number(await main.getAttribute('data-memory-budget')) };
};

test('a two-million-step run is computed to its end within the memory budget and stays seekable', async () => {
  await importScenario('long.json', longRun);
  await waitSettled(600_000);
  assert.equal(await page.getByTestId('cut').count(), 0, 'not cut at the memory budget');
  const horizon = Number(await page.getByTestId('scrubber').getAttribute('max'));
  assert.ok(horizon >= 2_000_000, `${horizon} steps computed`);
  const { live, budget } = await heap();
  assert.ok(live > 0 && live <= budget, `heap ${live} B within the budget ${budget} B`);
  // Seeks anywhere land on the step asked for (their speed is measured by bench.mjs).
  for (const step of [horizon, 1_234_567, 17, Math.floor(horizon / 2) + 1]) {
    await page.getByTestId('scrubber').evaluate((el, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, step);
    await page.waitForFunction((want) => document.querySelector('[data-testid="step"]')?.textContent.replace(/\D/g, '') === String(want), step, { timeout: 20_000 });
  }
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowRight');
  await shot('30-two-million-steps');
  assert.deepEqual(pageErrors, []);
});

test('the largest cluster the limits allow runs within the budget, drawn as summaries', async () => {
  await importScenario('largest.json', largest);
  await waitSettled(600_000);
  assert.equal(await page.getByTestId('fatal').isHidden(), true, 'the page did not die');
  const { live, budget } = await heap();
  assert.ok(live <= budget, `heap ${live} B within the budget ${budget} B`);
  const horizon = Number(await page.getByTestId('scrubber').getAttribute('max'));
  assert.ok(horizon > 100_000, `${horizon} steps`);
  await page.keyboard.press('ArrowRight');
  await shot('31-largest-cluster');
  assert.deepEqual(pageErrors, []);
});

test('a page that runs out of memory says so, offers the start screen, and a reload does not reopen the run', async () => {
  await page.goto(`${site.url}#s=acks1-leader-failure&step=40`);
  await page.getByTestId('step').waitFor();
  // What a WebAssembly instance that ran out of memory throws (the panic hook never runs).
  await page.evaluate(() => setTimeout(() => { throw new WebAssembly.RuntimeError('unreachable'); }, 0));
  await page.getByTestId('fatal').waitFor();
  assert.match(await page.getByTestId('fatal').textContent(), /ran out of memory/);
  assert.ok(await page.getByTestId('fatal-start').isVisible());
  await shot('32-out-of-memory');
  // Reloading the same link opens the start screen and says why, instead of crashing again.
  await page.reload();
  await page.getByTestId('start').waitFor();
  assert.match(await page.getByTestId('notice').textContent(), /ran out of memory on its last visit/);
  assert.equal(await page.getByTestId('fatal').isHidden(), true);
  assert.doesNotMatch(page.url(), /acks1-leader-failure/);
  // The next visit to a link opens it as usual.
  await page.goto(`${site.url}#s=acks1-leader-failure&step=40`);
  await page.reload();
  await page.getByTestId('step').waitFor();
  assert.equal(await page.getByTestId('notice').textContent(), '');
  // Following the start-screen link from the error page works too.
  await page.evaluate(() => setTimeout(() => { throw new WebAssembly.RuntimeError('unreachable'); }, 0));
  await page.getByTestId('fatal-start').click();
  await page.getByTestId('start').waitFor();
  assert.equal(await page.getByTestId('fatal').isHidden(), true);
});
