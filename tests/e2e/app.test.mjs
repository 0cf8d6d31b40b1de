// Browser tests of the built app (dist/): real Chromium via playwright-core, served by an
// in-process HTTP server on 127.0.0.1. Build first: `trunk build --release` (scripts/dev test does).
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = process.env.HIGHWATER_DIST ?? path.join(ROOT, 'dist');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const CHROME = process.env.CHROME_BIN ?? '/usr/bin/chromium';

let site;
let browser;
let context;
let page;
let pageErrors;

before(async () => {
  assert.ok(existsSync(path.join(DIST, 'index.html')), `${DIST}/index.html missing: run trunk build --release first`);
  mkdirSync(ARTIFACTS, { recursive: true });
  site = await startServer({ dir: DIST });
  browser = await chromium.launch({
    executablePath: CHROME,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  await page.goto(site.url);
  await page.getByTestId('step').waitFor();
});

afterEach(async () => {
  await context?.close();
});

const stepNumber = async () => Number((await page.getByTestId('step').textContent()).trim());
const shot = (name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
/** Waits until the step label shows `n` (the UI re-renders asynchronously). */
const waitForStep = (n) =>
  page.waitForFunction(
    (want) => document.querySelector('[data-testid="step"]')?.textContent.trim() === String(want),
    n,
    { timeout: 5000 },
  );

/** Waits until the element with `testId` has text matching `re`. */
const waitForLabel = (testId, re) =>
  page.waitForFunction(
    ([id, src]) => new RegExp(src).test(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ''),
    [testId, re.source],
    { timeout: 5000 },
  );

test('loads: title, step 0, controls, no page errors', async () => {
  assert.equal(await page.title(), 'Highwater');
  assert.equal((await page.locator('h1').textContent()).trim(), 'Highwater');
  assert.equal(await stepNumber(), 0);
  assert.match(await page.getByTestId('time').textContent(), /\d/);
  for (const id of ['back', 'play', 'step-forward']) {
    assert.ok(await page.getByTestId(id).isVisible(), `button ${id} visible`);
  }
  assert.equal(await page.getByTestId('back').isDisabled(), true, 'Back is disabled at step 0');
  await shot('01-loaded');
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot('01-loaded-dark');
  assert.deepEqual(pageErrors, []);
});

test('Step advances the step number and Back brings it down', async () => {
  const step = page.getByRole('button', { name: /Step/ });
  for (const n of [1, 2, 3]) {
    await step.click();
    await waitForStep(n);
  }
  assert.equal(await stepNumber(), 3);
  await shot('02-after-3-steps');
  await page.getByRole('button', { name: /Back/ }).click();
  await waitForStep(2);
  assert.equal(await stepNumber(), 2);
  assert.deepEqual(pageErrors, []);
});

test('Right arrow steps forward, Left arrow steps back', async () => {
  await page.keyboard.press('ArrowRight');
  await waitForStep(1);
  await page.keyboard.press('ArrowRight');
  await waitForStep(2);
  await page.keyboard.press('ArrowLeft');
  await waitForStep(1);
  assert.equal(await stepNumber(), 1);
  await shot('03-keyboard');
  assert.deepEqual(pageErrors, []);
});

test('Space plays, the step advances by itself, Space pauses', async () => {
  await page.keyboard.press('Space');
  await waitForLabel('play', /Pause/);
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="step"]').textContent) >= 2,
    null,
    { timeout: 10000 },
  );
  await page.keyboard.press('Space');
  await waitForLabel('play', /Play/);
  const paused = await stepNumber();
  await page.waitForTimeout(1500);
  assert.equal(await stepNumber(), paused, 'no steps while paused');
  await shot('04-played');
  assert.deepEqual(pageErrors, []);
});

test('a broker card per broker in the view, each with a status', async () => {
  await page.getByRole('button', { name: /Step/ }).click();
  await waitForStep(1);
  const cards = page.locator('[data-testid^="broker-"][data-status]');
  const n = await cards.count();
  if (n === 0) {
    // The view has no brokers (yet): the UI says so instead of showing nothing.
    assert.ok(await page.getByTestId('no-brokers').isVisible());
  }
  for (let i = 0; i < n; i++) {
    const status = (await cards.nth(i).getByTestId('broker-status').textContent()).trim();
    assert.ok(status.length > 0, 'broker status shown');
  }
  assert.ok(await page.getByTestId('partitions').isVisible());
  assert.deepEqual(pageErrors, []);
});
