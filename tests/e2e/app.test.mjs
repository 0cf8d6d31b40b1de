// Browser tests of the built app (dist/): real Chromium via playwright-core, served by an
// in-process HTTP server on 127.0.0.1. Build first: `trunk build --release` (scripts/dev test does).
// Screenshots of the main states go to test-artifacts/ (look at them: they are the closing note).
import { test, before, after, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = process.env.HIGHWATER_DIST ?? path.join(ROOT, 'dist');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
import { CHROME, CHROMIUM_ARGS } from './chromium.mjs';

let site;
let browser;
let context;
let page;
let pageErrors;

before(async () => {
  assert.ok(existsSync(path.join(DIST, 'index.html')), `${DIST}/index.html missing: run trunk build --release first`);
  mkdirSync(ARTIFACTS, { recursive: true });
  // Screenshots of this run only: stale ones would not match what the tests saw.
  for (const f of readdirSync(ARTIFACTS)) if (f.endsWith('.png')) rmSync(path.join(ARTIFACTS, f));
  site = await startServer({ dir: DIST });
  browser = await chromium.launch({
    executablePath: CHROME,
    args: CHROMIUM_ARGS,
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-US', colorScheme: 'light' });
  page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
});

afterEach(async () => {
  await context?.close();
});

// ------------------------------------------------------------------ helpers
const shot = (name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
const stepNumber = async () => Number((await page.getByTestId('step').textContent()).trim());
const waitFor = (fn, arg, timeout = 10000) => page.waitForFunction(fn, arg, { timeout });
const waitForStep = (n) =>
  waitFor((want) => document.querySelector('[data-testid="step"]')?.textContent.trim() === String(want), n);
/** Waits until the whole run is computed (the step counter stops saying "computing"). */
const waitComputed = () =>
  waitFor(() => {
    const el = document.querySelector('.hw-of');
    return el && !/computing|计算中/.test(el.textContent);
  }, null, 60000);
/** Text of the partition table's cell `col` for `name` ("orders-0"). */
const cell = async (name, col) => (await page.getByTestId(`partition-${name}`).getByTestId(col).textContent()).trim();
/** The replica strip of `topic-partition` on broker `b`: its data attributes. */
const replica = async (b, tp) => {
  const el = page.getByTestId(`broker-${b}`).getByTestId(`replica-${tp}`);
  return {
    leader: await el.getAttribute('data-leader'),
    epoch: Number(await el.getAttribute('data-epoch')),
    hw: Number(await el.getAttribute('data-hw')),
    leo: Number(await el.getAttribute('data-leo')),
  };
};
const openLesson = async (id) => {
  await page.goto(site.url);
  await page.getByTestId(`open-${id}`).click();
  await page.getByTestId('step').waitFor();
  await waitComputed();
};
/** Moves the scrubber to `step` (as a user dragging it would). */
/** Opens `lesson` (unless null: the one open), crashes broker `b` from its menu at step
 * `at`, and waits for the rest of the run. */
const crashAt = async (lesson, at, b) => {
  if (lesson) await openLesson(lesson);
  await scrubTo(at);
  await page.getByTestId(`broker-${b}`).getByRole('button', { name: new RegExp(`^Broker ${b}`) }).click();
  await page.getByTestId('act-crash').click();
  await waitForStep(at + 1);
  await waitComputed();
};
const scrubTo = async (step) => {
  await page.getByTestId('scrubber').evaluate((el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, step);
  await waitForStep(step);
};
/** Everything that describes the cluster at this step, for before/after comparisons. */
const snapshot = async () =>
  page.evaluate(() => ({
    step: document.querySelector('[data-testid="step"]').textContent.trim(),
    time: document.querySelector('[data-testid="time"]').textContent.trim(),
    brokers: [...document.querySelectorAll('[data-testid^="broker-"][data-status]')].map(
      (b) => `${b.dataset.testid}:${b.dataset.status}`,
    ),
    replicas: [...document.querySelectorAll('[data-testid^="replica-"]')].map(
      (r) => `${r.dataset.testid}:${r.dataset.leader}:${r.dataset.epoch}:${r.dataset.hw}:${r.dataset.leo}`,
    ),
    narration: document.querySelector('[data-testid="narration"]').textContent.trim(),
  }));

// ------------------------------------------------------------------ tests
test('start screen lists the lessons and opens one at step 0', async () => {
  await page.goto(site.url);
  await page.getByTestId('start').waitFor();
  assert.equal(await page.title(), 'Highwater');
  for (const id of ['acks1-leader-failure', 'acks-all-leader-failure', 'unclean-leader-election', 'more-consumers-than-partitions']) {
    assert.ok(await page.getByTestId(`lesson-${id}`).isVisible(), `lesson ${id} on the start screen`);
  }
  // The producer lessons and the transaction lessons have shelves of their own.
  for (const id of ['acks0-leader-failure', 'retry-duplicates', 'retry-reordering-idempotent']) {
    assert.equal(await page.getByTestId('shelf-producers').getByTestId(`lesson-${id}`).count(), 1, `${id} with the producer lessons`);
  }
  for (const id of ['transaction-aborted-read', 'transaction-read-committed', 'zombie-producer-fenced', 'pipeline-exactly-once']) {
    assert.equal(await page.getByTestId('shelf-transactions').getByTestId(`lesson-${id}`).count(), 1, `${id} with the transaction lessons`);
  }
  await shot('01-start-screen');
  await page.getByTestId('open-acks1-leader-failure').click();
  await waitForStep(0);
  assert.equal(await page.getByTestId('back').isDisabled(), true, 'Back is disabled at step 0');
  assert.match(await page.getByTestId('narration').textContent(), /acks=1/, 'the description until the first caption');
  assert.equal(await page.locator('.hw-broker').count(), 3);
  assert.match(page.url(), /#s=acks1-leader-failure&step=0/);
  assert.deepEqual(pageErrors, []);
});

test('overview: the lost write of acks=1, truncation and the anomaly (README screenshot)', async () => {
  await openLesson('acks1-leader-failure');
  await page.getByTestId('help').getByRole('button').click();
  // Jump from marker to marker until broker 1 has truncated the records only it had.
  const truncated = page.getByTestId('broker-1').getByTestId('truncated');
  for (let i = 0; i < 80 && (await truncated.count()) === 0; i++) {
    const before = await stepNumber();
    await page.keyboard.press('Shift+ArrowRight');
    await waitFor((b) => Number(document.querySelector('[data-testid="step"]').textContent) !== b, before);
  }
  assert.equal(await truncated.count(), 1, 'broker 1 shows the records it truncated');
  await page.getByTestId('tab-anomalies').click();
  assert.match(await page.locator('[data-testid="anomaly"]:not(.future)').first().textContent(), /lost-write/);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.screenshot({ path: path.join(ARTIFACTS, '00-overview.png') });
  assert.deepEqual(pageErrors, []);
});

test('play advances by itself, Space pauses, Right/Left step', async () => {
  await openLesson('acks1-leader-failure');
  await page.getByTestId('play').click();
  await waitFor(() => Number(document.querySelector('[data-testid="step"]').textContent) >= 8, null, 15000);
  await page.keyboard.press('Space');
  await waitFor(() => /Play/.test(document.querySelector('[data-testid="play"]').textContent));
  const paused = await stepNumber();
  await page.waitForTimeout(800);
  assert.equal(await stepNumber(), paused, 'no steps while paused');
  await page.keyboard.press('ArrowRight');
  await waitForStep(paused + 1);
  await page.keyboard.press('ArrowLeft');
  await waitForStep(paused);
  // Messages are drawn on their links; one click shows the payload.
  await scrubTo(4);
  const msg = page.getByTestId('msg').first();
  await msg.click();
  await page.getByTestId('inspector').waitFor();
  assert.match(await page.getByTestId('inspector-kind').textContent(), /\w+/);
  assert.notEqual((await page.getByTestId('payload').textContent()).trim(), '');
  await shot('02-message-payload');
  assert.deepEqual(pageErrors, []);
});

test('kill the leader: a new leader with a new epoch; step back shows the old state', async () => {
  await openLesson('acks-all-leader-failure');
  // Broker 1 leads orders-0 once the controller's first LeaderAndIsr has arrived.
  await scrubTo(30);
  assert.equal((await replica(1, 'orders-0')).leader, 'true', 'broker 1 leads');
  assert.equal((await replica(1, 'orders-0')).epoch, 0);
  await page.getByTestId('broker-1').getByRole('button', { name: /^Broker 1/ }).click();
  await page.getByTestId('menu').waitFor();
  // Every item of the menu can be clicked: nothing covers or clips it.
  for (const id of ['act-crash', 'act-power', 'act-isolate', 'link-b2']) {
    const item = page.getByTestId(id);
    await item.scrollIntoViewIfNeeded();
    const topmost = await item.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
    });
    assert.ok(topmost, `${id} is visible and on top`);
  }
  await shot('03-broker-menu');
  await page.getByTestId('act-crash').click();
  await waitForStep(31);
  assert.equal(await page.getByTestId('broker-1').getAttribute('data-status'), 'crashed');
  assert.match(await page.getByTestId('notice').textContent(), /Branched at step 30/);
  await waitComputed();
  await page.getByTestId('tab-partitions').click();
  // Jump from marker to marker (Shift+→) until the failover is visible.
  let tries = 0;
  while ((await cell('orders-0', 'leader')) !== '2' && tries++ < 40) {
    const before = await stepNumber();
    await page.keyboard.press('Shift+ArrowRight');
    await waitFor((b) => Number(document.querySelector('[data-testid="step"]').textContent) !== b, before);
  }
  assert.equal(await cell('orders-0', 'leader'), '2', 'broker 2 took over');
  assert.equal(await cell('orders-0', 'epoch'), '1', 'with leader epoch 1');
  const failover = await stepNumber();
  await shot('04-new-leader-epoch-1');
  // One step back: the controller had not elected broker 2 yet.
  await page.keyboard.press('ArrowLeft');
  await waitForStep(failover - 1);
  assert.equal(await cell('orders-0', 'epoch'), '0', 'the old epoch, one step earlier');
  assert.equal(await cell('orders-0', 'leader'), '1');
  await shot('05-stepped-back');
  // Back to before the crash: broker 1 is up and leading again.
  await scrubTo(30);
  assert.equal(await page.getByTestId('broker-1').getAttribute('data-status'), 'up');
  assert.equal((await replica(1, 'orders-0')).leader, 'true');
  assert.deepEqual(pageErrors, []);
});

test('the browser\'s Back undoes a hand-made action and Forward redoes it; stepping adds no history', async () => {
  await crashAt('acks1-leader-failure', 25, 2);
  assert.equal(await page.getByTestId('broker-2').getAttribute('data-status'), 'crashed');
  assert.match(page.url(), /do=25:crash\.2/);
  // Stepping moves the link's step without a history entry of its own.
  await page.keyboard.press('ArrowRight');
  await waitForStep(27);
  await page.goBack();
  await waitFor(() => !/do=/.test(location.hash));
  await page.getByTestId('step').waitFor();
  await waitFor(() => document.querySelector('[data-testid="broker-2"]')?.dataset.status === 'up');
  assert.equal(await page.getByTestId('off-script').count(), 0, 'back in the lesson as written');
  await page.goForward();
  await waitFor(() => /do=25:crash\.2/.test(location.hash));
  await waitFor(() => document.querySelector('[data-testid="broker-2"]')?.dataset.status === 'crashed');
  // Back twice more: the lesson without the crash, then the start screen; still in the app.
  await page.goBack();
  await waitFor(() => !/do=/.test(location.hash));
  await page.goBack();
  await page.getByTestId('start').waitFor();
  assert.deepEqual(pageErrors, []);
});

test('a shared URL reproduces the same view, actions included', async () => {
  await crashAt('acks1-leader-failure', 25, 2);
  await scrubTo(120);
  const url = page.url();
  assert.match(url, /do=25:crash\.2/, `the action is in the link: ${url}`);
  const here = await snapshot();
  const other = await context.newPage();
  await other.goto(url);
  await other.getByTestId('step').waitFor();
  const there = await other.evaluate(() => ({
    step: document.querySelector('[data-testid="step"]').textContent.trim(),
  }));
  assert.equal(there.step, '120');
  page = other;
  assert.deepEqual(await snapshot(), here, 'same step, brokers, replicas and narration');
  await shot('06-shared-url-reloaded');
  // Reloading the page itself gives the same view too.
  await page.reload();
  await page.getByTestId('step').waitFor();
  assert.deepEqual(await snapshot(), here);
  assert.deepEqual(pageErrors, []);
});

test('a malformed link shows what is wrong and keeps the simulation', async () => {
  await openLesson('acks1-leader-failure');
  await scrubTo(40);
  const before = await snapshot();
  await page.evaluate(() => {
    location.hash = '#s=acks1-leader-failure&step=12x';
  });
  await waitFor(() => /step "12x" is not a whole number/.test(document.querySelector('[data-testid="error"]').textContent));
  assert.match(await page.getByTestId('error').textContent(), /current simulation is unchanged/);
  assert.deepEqual(await snapshot(), before);
  // At start-up, a link to an unknown scenario says so on the start screen.
  page = await context.newPage();
  await page.goto(`${site.url}#s=no-such-lesson&step=3`);
  await page.getByTestId('start').waitFor();
  assert.match(await page.getByTestId('error').textContent(), /no built-in scenario "no-such-lesson"/);
  assert.deepEqual(pageErrors, []);
});

test('off script: after a crash the lesson narration stops and the engine is narrated, in both languages', async () => {
  await openLesson('acks1-leader-failure');
  await scrubTo(300);
  assert.equal(await page.getByTestId('off-script').count(), 0, 'on script, no badge');
  await crashAt(null, 30, 2);
  await scrubTo(300);
  await page.getByTestId('off-script').waitFor();
  const text = await page.getByTestId('narration').textContent();
  assert.match(text, /Off script since step 31: the lesson's narration no longer applies\. Latest from the engine \(step \d+\)/);
  assert.doesNotMatch(text, /Broker 2 is the new leader/);
  await shot('09-off-script');
  await page.getByTestId('lang-zh').click();
  await waitFor(() => /已偏离课程脚本/.test(document.querySelector('[data-testid="narration"]').textContent));
  assert.match(await page.getByTestId('off-script').textContent(), /已偏离脚本/);
  await page.getByTestId('lang-en').click();
  // Back before the branch, the lesson narrates again.
  await scrubTo(20);
  assert.equal(await page.getByTestId('off-script').count(), 0);
  assert.deepEqual(pageErrors, []);
});

/** The start screen at 1280x720 in presenter mode: the id of every lesson it lists. */
const presenterLessons = async () => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(site.url);
  await page.locator('[data-testid^="open-"]').first().waitFor();
  const ids = await page.$$eval('[data-testid^="open-"]', (els) => els.map((e) => e.dataset.testid.slice(5)));
  assert.ok(ids.length >= 25, `the lessons: ${ids}`);
  await page.getByTestId('presenter').click();
  return ids;
};

test('presenter mode at 1280x720: every lesson fits, picture, transport and narration on one screen', async () => {
  const ids = await presenterLessons();
  const inside = () => page.evaluate(() => {
    const out = [];
    for (const [name, sel] of [['transport', '.hw-transport'], ['narration', '[data-testid="narration"]'], ['picture', '[data-testid="cluster"]']]) {
      const r = document.querySelector(sel).getBoundingClientRect();
      if (r.top < 0 || r.left < 0 || r.bottom > window.innerHeight + 0.5 || r.right > window.innerWidth + 0.5) {
        out.push(`${name} ${Math.round(r.left)},${Math.round(r.top)}-${Math.round(r.right)},${Math.round(r.bottom)}`);
      }
    }
    return out;
  });
  const misfits = [];
  for (const id of ids) {
    await page.getByTestId(`open-${id}`).click();
    await page.getByTestId('step').waitFor();
    await waitComputed();
    for (const where of ['Home', 'End']) {
      await page.keyboard.press(where);
      await page.waitForTimeout(150);
      const out = await inside();
      if (out.length) misfits.push(`${id} (${where}): ${out.join('; ')}`);
    }
    if (id === 'zombie-consumer-fenced') await shot('11-presenter-1280x720-zombie');
    await page.getByRole('button', { name: /Scenarios/ }).click();
    await page.getByTestId('start').waitFor();
  }
  // Not yet: these pictures (six partitions on every broker, nine brokers, a pipeline with a
  // four-line narration) are still taller than the room at the smallest readable scale; the
  // transport and the narration fit, the picture's bottom does not. Folding idle partitions
  // is the next step (issue 14). Any other lesson, or any other part, failing fails here.
  const tooTall = ['group-broker-failure-and-pause', 'pipeline-zombie-fenced', 'cluster-9-brokers'];
  const unexpected = misfits.filter((m) => !tooTall.some((id) => m.startsWith(`${id} `)) || !/^[^:]+: picture [^;]+$/.test(m));
  assert.deepEqual(unexpected, [], 'every other lesson fits 1280x720 in presenter mode');
  assert.deepEqual(pageErrors, []);
});

/** Every message label drawn (pills, arrivals, drops) and every piece of text inside a card,
 * as boxes in the window: transitions finished (messages where they stop), animations at
 * their first frame (where a label is read). Text clipped by its card counts as far as it shows. */
const labelsAndCardTexts = () =>
  page.evaluate(() => {
    for (const a of document.getAnimations()) {
      if (a instanceof CSSTransition) a.finish();
      else {
        a.pause();
        a.currentTime = 0;
      }
    }
    const box = (r) => ({ l: r.left, t: r.top, r: r.right, b: r.bottom });
    const labels = [...document.querySelectorAll('.hw-flight .hw-msg-text, .hw-flight .hw-arrive-text, .hw-flight .hw-drop-text')]
      .map((el) => ({ text: el.textContent, box: box(el.getBoundingClientRect()) }))
      .filter((x) => x.box.r > x.box.l);
    const texts = [];
    const cards = '[data-testid="cluster"] :is(.hw-card, .hw-group, .hw-rmq-group > header)';
    for (const card of document.querySelectorAll(cards)) {
      const cr = card.getBoundingClientRect();
      const walker = document.createTreeWalker(card, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!n.textContent.trim() || el.closest('title')) continue;
        // A group box's members are cards of their own.
        if (card.classList.contains('hw-group') && el.closest('.hw-card')) continue;
        const cs = getComputedStyle(el);
        if (cs.visibility === 'hidden' || cs.display === 'none') continue;
        let rects;
        if (el instanceof SVGElement) rects = [el.getBoundingClientRect()];
        else {
          const range = document.createRange();
          range.selectNodeContents(n);
          rects = [...range.getClientRects()];
        }
        for (const r of rects) {
          const b = { l: Math.max(r.left, cr.left), t: Math.max(r.top, cr.top), r: Math.min(r.right, cr.right), b: Math.min(r.bottom, cr.bottom) };
          if (b.r - b.l > 0.5 && b.b - b.t > 0.5) texts.push({ text: n.textContent.trim().slice(0, 40), card: card.dataset.testid || card.className, box: b });
        }
      }
    }
    const msgs = [...document.querySelectorAll('.hw-flight [data-testid="msg"]')];
    return { labels, texts, msgs: msgs.length, labelled: msgs.filter((m) => m.dataset.label).length };
  });

/** "label" covers "text" (card) for each label box over a card's text box (1 px of slack). */
const labelsOverText = ({ labels, texts }) => {
  const out = [];
  for (const lb of labels) {
    for (const tx of texts) {
      const [a, c] = [lb.box, tx.box];
      if (a.l < c.r - 1 && c.l < a.r - 1 && a.t < c.b - 1 && c.t < a.b - 1) out.push(`"${lb.text}" covers "${tx.text}" (${tx.card})`);
    }
  }
  return out;
};

test('presenter mode at 1280x720: no message label covers the text of a card, in any lesson', async () => {
  const ids = await presenterLessons();
  const covered = [];
  let [labels, msgs, labelled] = [0, 0, 0];
  for (const id of ids) {
    await page.getByTestId(`open-${id}`).click();
    await page.getByTestId('step').waitFor();
    await waitComputed();
    const last = Number(await page.getByTestId('scrubber').getAttribute('max'));
    // Messages are on the wire mid-run; the first and last steps have their own (metadata,
    // heartbeats).
    for (const step of new Set([0, 0.1, 0.25, 0.5, 0.75, 1].map((f) => Math.round(last * f)))) {
      await scrubTo(step);
      const seen = await labelsAndCardTexts();
      labels += seen.labels.length;
      msgs += seen.msgs;
      labelled += seen.labelled;
      for (const c of labelsOverText(seen)) covered.push(`${id} step ${step}: ${c}`);
    }
    if (id === 'rebalance-cooperative-sticky') await shot('16-presenter-1280x720-labels-rebalance');
    await page.getByRole('button', { name: /Scenarios/ }).click();
    await page.getByTestId('start').waitFor();
  }
  assert.deepEqual(covered, [], 'message labels over the text of cards');
  // Labels are placed, not dropped: most messages drawn as SVG carry theirs.
  assert.ok(labels > 200, `labels drawn: ${labels}`);
  assert.ok(labelled * 2 >= msgs, `${labelled} of ${msgs} messages labelled`);
  // Two busy pictures, at 1280x720 and at 1600x1000: the same, and screenshots to look at.
  for (const [w, h] of [[1280, 720], [1600, 1000]]) {
    await page.setViewportSize({ width: w, height: h });
    for (const [id, step] of [['power-loss-unflushed', 1057], ['rebalance-cooperative-sticky', 2919]]) {
      await page.getByTestId(`open-${id}`).click();
      await page.getByTestId('step').waitFor();
      await waitComputed();
      await scrubTo(step);
      const seen = await labelsAndCardTexts();
      assert.ok(seen.labels.length > 0, `${id} step ${step}: labels drawn`);
      assert.deepEqual(labelsOverText(seen), [], `${id} step ${step} at ${w}x${h}`);
      await shot(`17-presenter-${w}x${h}-labels-${id}`);
      await page.getByRole('button', { name: /Scenarios/ }).click();
      await page.getByTestId('start').waitFor();
    }
  }
  assert.deepEqual(pageErrors, []);
});

test('a zombie is marked as one, and every ⋯ button names its node', async () => {
  await page.goto(`${site.url}#s=zombie-consumer-fenced&step=1700`);
  await page.getByTestId('step').waitFor();
  await waitForStep(1700);
  assert.equal(await page.getByTestId('consumer-billing-1').getAttribute('data-stale'), 'true', 'generation 1 in a generation-2 group');
  assert.equal(await page.getByTestId('consumer-billing-2').getAttribute('data-stale'), 'false');
  const pill = page.getByTestId('consumer-billing-1').getByTestId('stale-generation');
  assert.match(await pill.textContent(), /zombie/);
  assert.match(await pill.getAttribute('title'), /newer generation/);
  const names = await page.$$eval('.hw-menu-btn', (els) => els.map((e) => e.getAttribute('aria-label')));
  assert.ok(names.length >= 6);
  for (const n of names) assert.match(n, /^Actions — \S/, `names its node: ${n}`);
  assert.ok(names.includes('Actions — Broker 1') && names.includes('Actions — billing-1'), names.join(', '));
  assert.deepEqual(pageErrors, []);
});

test('export then import: the run comes back with what the user did, at the same step', async () => {
  await crashAt('acks1-leader-failure', 25, 2);
  await scrubTo(120);
  const here = await snapshot();
  assert.ok(here.brokers.includes('broker-2:crashed'), `broker 2 is down: ${here.brokers}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /"replay": \{/, 'the file holds the run');
  assert.match(text, /"25:crash\.2"/);
  // A fresh page, the original lesson, then the file: the crash and the step come back.
  await openLesson('acks1-leader-failure');
  await page.getByTestId('file-input').setInputFiles({ name: download.suggestedFilename(), mimeType: 'application/json', buffer: Buffer.from(text) });
  await waitForStep(120);
  assert.deepEqual(await snapshot(), here, 'same step, same cluster, broker 2 crashed');
  assert.match(page.url(), /do=25:crash\.2/, 'and the link carries the action');
  assert.deepEqual(pageErrors, []);
});

test('lag of a consumer paused before its first commit: counted from its position, and marked so', async () => {
  const timeline = [{ at_ms: 1000, action: 'produce', producer: 'app', topic: 'orders', count: 3 },
    { at_ms: 4500, action: 'consumer_pause', consumer: 'c1', ms: 60000, gc: true }];
  for (let i = 0; i < 10; i++) timeline.push({ at_ms: 5000 + i * 1000, action: 'produce', producer: 'app', topic: 'orders', count: 2 });
  const scenario = JSON.stringify({ id: 'paused-lag', title: { en: 'Paused consumer' }, duration_ms: 20000, cluster: { brokers: 3 },
    topics: [{ name: 'orders', partitions: 1, replication_factor: 3 }], producers: [{ name: 'app' }],
    consumers: [{ name: 'c1', group: 'g', topics: ['orders'], config: { 'auto.offset.reset': 'earliest', 'sim.processing.ms.per.record': 0 } }],
    timeline });
  await page.goto(site.url);
  await page.getByTestId('file-input').setInputFiles({ name: 'paused.json', mimeType: 'application/json', buffer: Buffer.from(scenario) });
  await page.getByTestId('step').waitFor();
  await waitComputed();
  await page.keyboard.press('End');
  await page.getByTestId('scrubber').evaluate((el) => { el.value = el.max; el.dispatchEvent(new Event('input', { bubbles: true })); });
  await page.getByTestId('tab-partitions').click();
  const lag = page.getByTestId('partition-orders-0').getByTestId('lag-g');
  await waitFor(() => /20/.test(document.querySelector('[data-testid="partition-orders-0"] [data-testid="lag-g"]')?.textContent ?? ''));
  assert.match(await lag.textContent(), /^20 ○$/);
  assert.equal(await lag.getAttribute('data-from'), 'position');
  assert.match(await lag.getAttribute('title'), /nothing committed yet/);
  assert.equal((await cell('orders-0', 'committed-g')), '—');
  await shot('10-lag-from-position');
  assert.deepEqual(pageErrors, []);
});

test('importing a bad file shows the error with its place; the simulation is unchanged', async () => {
  await openLesson('acks1-leader-failure');
  await scrubTo(50);
  const before = await snapshot();
  const bad = '{\n  "id": "broken",\n  "title": { "en": "x" },\n  "duration_ms": "soon",\n  "cluster": { "brokers": 3 },\n  "topics": []\n}\n';
  await page.getByTestId('file-input').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(bad) });
  await waitFor(() => /broken\.json/.test(document.querySelector('[data-testid="error"]').textContent));
  const error = await page.getByTestId('error').textContent();
  assert.match(error, /duration_ms/, 'names the field');
  assert.match(error, /line 4/, 'and the line');
  assert.match(error, /unchanged/);
  assert.deepEqual(await snapshot(), before, 'same step, same cluster');
  await shot('07-import-error');
  // A semantic error too (a replication factor larger than the cluster).
  const semantic = JSON.stringify({ id: 'x', title: { en: 'x' }, duration_ms: 1000, cluster: { brokers: 2 }, topics: [{ name: 't', partitions: 1, replication_factor: 3 }] });
  await page.getByTestId('file-input').setInputFiles({ name: 'rf.json', mimeType: 'application/json', buffer: Buffer.from(semantic) });
  await waitFor(() => /rf\.json/.test(document.querySelector('[data-testid="error"]').textContent));
  assert.match(await page.getByTestId('error').textContent(), /topics\[0\]\.replication_factor/);
  assert.deepEqual(await snapshot(), before);
  // A good file replaces the simulation.
  const good = JSON.stringify({ id: 'tiny', title: { en: 'Tiny cluster' }, duration_ms: 2000, cluster: { brokers: 2 }, topics: [{ name: 't', partitions: 1, replication_factor: 2 }] });
  await page.getByTestId('file-input').setInputFiles({ name: 'tiny.json', mimeType: 'application/json', buffer: Buffer.from(good) });
  await waitFor(() => document.querySelector('[data-testid="scenario"]')?.textContent.includes('Tiny cluster'));
  assert.equal(await page.locator('.hw-broker').count(), 2);
  assert.match(page.url(), /s=custom&json=/);
  assert.deepEqual(pageErrors, []);
});

test('language switch: UI and narration in Chinese, remembered after a reload', async () => {
  await openLesson('acks1-leader-failure');
  await scrubTo(10);
  await page.getByTestId('lang-zh').click();
  await waitFor(() => document.querySelector('[data-testid="play"]').textContent.includes('播放'));
  assert.match(await page.getByTestId('narration').textContent(), /三个 broker/);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  await shot('08-chinese');
  await page.reload();
  await page.getByTestId('step').waitFor();
  assert.match(await page.getByTestId('play').textContent(), /播放/, 'the choice is remembered');
  await page.getByTestId('lang-en').click();
  await waitFor(() => document.querySelector('[data-testid="play"]').textContent.includes('Play'));
  assert.deepEqual(pageErrors, []);
});

test('themes and presenter mode', async () => {
  await openLesson('unclean-leader-election');
  await scrubTo(Math.min(900, Number(await page.getByTestId('scrubber').getAttribute('max'))));
  await page.getByTestId('theme').click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await shot('09-dark');
  await page.getByTestId('presenter').click();
  assert.equal(await page.evaluate(() => document.documentElement.dataset.presenter), 'on');
  assert.equal(await page.locator('.hw-panels').count(), 0, 'secondary panels hidden');
  const size = await page.evaluate(() => getComputedStyle(document.documentElement).fontSize);
  assert.equal(size, '20px');
  await shot('10-presenter-dark');
  assert.deepEqual(pageErrors, []);
});

test('panels: event log jumps, anomalies jump to where they became visible, partition table', async () => {
  await openLesson('acks1-leader-failure');
  await scrubTo(100);
  const line = page.getByTestId('event').nth(3);
  const target = Number(await line.getAttribute('data-step'));
  await line.click();
  await waitForStep(target);
  await page.getByTestId('event-filter').fill('leader →');
  await waitFor(() => [...document.querySelectorAll('[data-testid="event"]')].every((e) => e.textContent.includes('leader →')));
  assert.ok((await page.getByTestId('event').count()) >= 1);
  await page.getByTestId('tab-anomalies').click();
  // Later in the run, a lost write: open the list and jump to it.
  await page.locator('.hw-anomalies summary').click();
  const lost = page.locator('[data-testid="anomaly"][data-kind="lost-write"]').first();
  await lost.click();
  await waitFor(() => document.querySelectorAll('[data-testid="anomaly"]:not(.future)').length > 0);
  assert.match(await page.locator('[data-testid="anomaly"]:not(.future)').first().textContent(), /lost-write/);
  await shot('11-anomalies');
  // In Chinese the explanation is Chinese too, with the same record and offset.
  await page.getByTestId('lang-zh').click();
  const zh = await page.locator('[data-testid="anomaly"]:not(.future) .hw-an-detail').first().textContent();
  assert.match(zh, /消息 #2（orders-0 offset 2）已丢失：它已被确认，随后 broker 2 在同一 offset 写入了消息 #5/);
  assert.doesNotMatch(zh, /is gone|acknowledged/);
  await page.getByTestId('lang-en').click();
  await page.getByTestId('tab-partitions').click();
  await page.getByTestId('partitions').waitFor();
  assert.deepEqual(pageErrors, []);
});

test('consumer group: members, assignment, committed offsets and lag; pause a consumer', async () => {
  await openLesson('more-consumers-than-partitions');
  const end = Number(await page.getByTestId('scrubber').getAttribute('max'));
  await scrubTo(end);
  const group = page.getByTestId('group-billing');
  assert.equal(await group.getAttribute('data-state'), 'Stable');
  assert.equal(await page.locator('.hw-member').count(), 4);
  assert.equal(await page.locator('.hw-member.idle').count(), 1, 'the fourth consumer idles');
  await page.getByTestId('tab-partitions').click();
  assert.match(await page.getByTestId('partition-orders-0').getByTestId('committed-billing').textContent(), /\d/);
  await page.getByTestId('tab-lag').click();
  await page.getByTestId('lag-chart').waitFor();
  await shot('12-consumer-group');
  // Pause c1 (a GC pause) in the past: a branch.
  await scrubTo(Math.floor(end / 2));
  await page.getByTestId('consumer-c1').getByRole('button', { name: 'c1', exact: true }).click();
  await page.getByTestId('act-cpause').click();
  await waitFor(() => document.querySelector('[data-testid="consumer-c1"]').dataset.status === 'frozen');
  assert.match(page.url(), /cpause\.c1\.20000\.gc/);
  assert.deepEqual(pageErrors, []);
});

test('a cut link drops messages visibly and heals on click', async () => {
  await openLesson('acks1-leader-failure');
  await scrubTo(20);
  await page.getByTestId('broker-1').getByRole('button', { name: /^Broker 1/ }).click();
  await page.getByTestId('link-b2').click();
  await page.getByTestId('cut-link').first().waitFor();
  // Step until a message on the cut link is dropped.
  let drops = 0;
  for (let i = 0; i < 200 && drops === 0; i++) {
    await page.keyboard.press('ArrowRight');
    drops = await page.getByTestId('dropped').count();
  }
  assert.ok(drops > 0, 'a dropped message is drawn');
  await shot('13-dropped-message');
  await page.getByTestId('cut-link').first().click({ force: true });
  await page.getByTestId('act-heal').click();
  await waitFor(() => document.querySelectorAll('[data-testid="cut-link"]').length === 0);
  assert.deepEqual(pageErrors, []);
});

test('a setting with a bad value is refused; a good one rebuilds the run at the same step', async () => {
  await openLesson('acks1-leader-failure');
  await scrubTo(60);
  const before = await snapshot();
  await page.getByTestId('tab-settings').click();
  const row = page.getByTestId('setting-min.insync.replicas').first();
  await row.locator('input').fill('0');
  await row.getByRole('button').click();
  await waitFor(() => /min\.insync\.replicas/.test(document.querySelector('[data-testid="error"]').textContent));
  assert.match(await page.getByTestId('error').textContent(), /unchanged/);
  assert.deepEqual(await snapshot(), before);
  await row.locator('input').fill('2');
  await row.getByRole('button').click();
  await waitFor(() => /rebuilt/.test(document.querySelector('[data-testid="notice"]').textContent));
  assert.equal(await stepNumber(), 60);
  assert.match(page.url(), /s=custom/);
  // A boolean is picked, not typed.
  const unclean = page.getByTestId('setting-unclean.leader.election.enable').first();
  assert.deepEqual(await unclean.locator('select option').allTextContents(), ['—', 'true', 'false']);
  await unclean.locator('select').selectOption('true');
  await unclean.getByRole('button').click();
  // The rebuilt scenario travels in the link (base64url JSON) with the new value.
  await waitFor(() => {
    const m = location.hash.match(/json=([^&]*)/);
    const json = m ? atob(m[1].replace(/-/g, '+').replace(/_/g, '/')) : '';
    return /"unclean\.leader\.election\.enable"\s*:\s*true/.test(json);
  });
  assert.equal(await stepNumber(), 60);
  assert.deepEqual(pageErrors, []);
});

test('50 brokers, 2,000 partitions: summaries that expand on click', async () => {
  await page.goto(site.url);
  await page.getByTestId('open-cluster-50-brokers').click();
  await page.getByTestId('step').waitFor();
  assert.equal(await page.locator('.hw-small').count(), 50, 'one summary card per broker');
  assert.equal(await page.locator('[data-testid^="replica-"]').count(), 0, 'no strips until expanded');
  await waitComputed();
  await scrubTo(3000);
  await page.getByTestId('broker-7').click();
  await waitFor(() => document.querySelectorAll('[data-testid^="replica-"]').length > 0);
  assert.ok((await page.locator('[data-testid^="replica-"]').count()) <= 12, 'one page of strips');
  await page.getByTestId('tab-partitions').click();
  await page.getByTestId('topic-events').waitFor(); // the per-topic summary
  await shot('14-fifty-brokers');
  assert.deepEqual(pageErrors, []);
});

test('nine brokers under load: hundreds of messages move on a canvas; a click on one shows it', async () => {
  await page.goto(site.url);
  await page.getByTestId('open-cluster-9-brokers').click();
  await page.getByTestId('step').waitFor();
  await waitComputed();
  await scrubTo(1500);
  const count = Number(await page.getByTestId('flight-canvas').getAttribute('data-count'));
  assert.ok(count >= 200, `at least 200 messages drawn (got ${count})`);
  assert.equal(await page.getByTestId('msg').count(), 0, 'not as DOM nodes');
  await page.keyboard.press('ArrowRight');
  await waitForStep(1501);
  await page.waitForTimeout(500);
  // Find a drawn message by scanning the canvas for a painted pixel between the cards
  // (a click on a card opens the card's menu), then click there.
  const hit = await page.getByTestId('flight-canvas').evaluate((c) => {
    const ctx = c.getContext('2d');
    const { data, width, height } = ctx.getImageData(0, 0, c.width, c.height);
    const dpr = c.width / c.clientWidth;
    const rect = c.getBoundingClientRect();
    const cards = [...document.querySelectorAll('.hw-card, .hw-group, .hw-popover, .hw-inspector')].map((e) => e.getBoundingClientRect());
    const onCard = (px, py) => cards.some((r) => px >= r.left - 3 && px <= r.right + 3 && py >= r.top - 3 && py <= r.bottom + 3);
    for (let y = 0; y < height; y += 2) {
      for (let x = 0; x < width; x += 2) {
        if (data[(y * width + x) * 4 + 3] > 200) {
          const p = { x: x / dpr + 1, y: y / dpr + 1 };
          if (!onCard(rect.left + p.x, rect.top + p.y)) return p;
        }
      }
    }
    return null;
  });
  assert.ok(hit, 'messages are painted');
  await page.getByTestId('cluster').click({ position: hit, force: true });
  await page.getByTestId('inspector').waitFor();
  await shot('15-nine-brokers-canvas');
  assert.deepEqual(pageErrors, []);
});

// ------------------------------------------------------------------ transactions
/** data-txn of every cell of `topic-partition`'s strip on broker `b`, in offset order. */
const txnCells = (b, tp) =>
  page.evaluate(
    ([b, tp]) =>
      [...document.querySelectorAll(`[data-testid="broker-${b}"] [data-testid="replica-${tp}"] g[data-txn]`)].map((g) => g.dataset.txn),
    [b, tp],
  );
/** The step of the last timeline marker of `kind`. */
const lastMarker = (kind) =>
  page.evaluate((kind) => Math.max(...[...document.querySelectorAll(`[data-testid="marker"][data-kind="${kind}"]`)].map((m) => Number(m.dataset.step))), kind);

test('transactions: read_uncommitted reads an aborted transaction (aborted cells, markers, aborted-read)', async () => {
  await openLesson('transaction-aborted-read');
  await page.getByTestId('help').getByRole('button').click();
  // The coordinator of transactional.id bank-1 is badged; the reader shows its isolation level.
  assert.equal(await page.getByTestId('txn-coordinator-badge').count(), 1);
  assert.match(await page.getByTestId('reader-auditor').getByTestId('isolation').textContent(), /read_uncommitted/);
  // Play to the end at full speed.
  await page.getByTestId('speed').selectOption('6');
  await page.getByTestId('play').click();
  await waitFor(() => /End of the run/.test(document.querySelector('[data-testid="narration"]').textContent), null, 30000);
  const end = Number(await page.getByTestId('scrubber').getAttribute('max'));
  assert.equal(await stepNumber(), end, 'played to the last step');
  // payments-1 holds the aborted transaction: three aborted records and an ABORT marker;
  // payments-0 the committed one: two records and a COMMIT marker. On every replica.
  for (const b of [1, 2, 3]) {
    assert.deepEqual(await txnCells(b, 'payments-1'), ['aborted', 'aborted', 'aborted', 'marker-abort'], `broker ${b} payments-1`);
    assert.deepEqual(await txnCells(b, 'payments-0'), ['committed', 'committed', 'marker-commit'], `broker ${b} payments-0`);
  }
  assert.equal(await page.getByTestId('producer-bank').getAttribute('data-txn-state'), 'READY');
  // The card says which transaction protocol this is, and what Kafka 4.x does instead.
  const version = page.getByTestId('producer-bank').getByTestId('txn-version');
  assert.equal((await version.textContent()).trim(), 'TV1');
  assert.match(await version.getAttribute('title'), /KIP-890/);
  // (The ABORT marker shares its spot on the timeline with the anomalies it revealed,
  // which win it.)
  for (const kind of ['txn-commit', 'anomaly']) {
    assert.ok((await page.locator(`[data-testid="marker"][data-kind="${kind}"]`).count()) > 0, `a ${kind} marker on the timeline`);
  }
  await page.getByTestId('tab-anomalies').click();
  const anomalies = page.locator('[data-testid="anomaly"][data-kind="aborted-read"]:not(.future)');
  assert.equal(await anomalies.count(), 3, 'one aborted-read per aborted record');
  assert.match(await anomalies.first().textContent(), /aborted-read.*payments-1/s);
  await page.getByTestId('legend').getByText('ABORT marker').waitFor();
  await page.setViewportSize({ width: 1280, height: 1100 });
  await shot('16-transaction-aborted-read');
  // In Chinese: the anomaly's name and the legend.
  await page.getByTestId('lang-zh').click();
  await waitFor(() => document.querySelector('[data-testid="anomaly"]').textContent.includes('读到已中止事务'));
  assert.match(await page.getByTestId('legend').textContent(), /ABORT 标记/);
  await shot('17-transaction-aborted-read-zh');
  await page.getByTestId('lang-en').click();
  assert.deepEqual(pageErrors, []);
});

test('read_committed: the LSO stays below the HW while a transaction is open; markers, no anomaly', async () => {
  await openLesson('transaction-read-committed');
  await page.getByTestId('help').getByRole('button').click();
  const end = Number(await page.getByTestId('scrubber').getAttribute('max'));
  // Find a step where a leader's LSO tag is drawn (a transaction is open).
  let lsoAt = -1;
  for (let s = 20; s <= end && lsoAt < 0; s += 10) {
    await scrubTo(s);
    if ((await page.getByTestId('lso').count()) > 0) lsoAt = s;
  }
  assert.ok(lsoAt > 0, 'an LSO tag appears while the transaction is open');
  const strip = page.locator('[data-testid^="replica-"]', { has: page.getByTestId('lso') }).first();
  assert.equal(await strip.getAttribute('data-leader'), 'true', 'drawn on the leader');
  const lso = Number((await strip.getByTestId('lso').textContent()).replace(/\D+/g, ''));
  assert.ok(lso < Number(await strip.getAttribute('data-hw')), `LSO ${lso} below the HW`);
  assert.ok((await strip.locator('g[data-txn="open"]').count()) > 0, 'the open transaction’s records are marked');
  assert.match(await page.getByTestId('reader-auditor').getByTestId('isolation').textContent(), /read_committed/);
  await shot('18-read-committed-lso');
  // At the end: both markers, no anomaly (the reader skipped the aborted records).
  await scrubTo(end);
  assert.equal(await page.getByTestId('lso').count(), 0, 'no open transaction left: LSO = HW');
  const all = await page.evaluate(() => [...document.querySelectorAll('g[data-txn]')].map((g) => g.dataset.txn));
  assert.ok(all.includes('marker-commit') && all.includes('marker-abort') && all.includes('aborted'), all.join(','));
  await page.getByTestId('tab-anomalies').click();
  await page.getByTestId('no-anomalies').waitFor();
  assert.equal(await page.locator('[data-testid="anomaly"]').count(), 0, 'no anomaly, now or later');
  await shot('19-read-committed-end');
  assert.deepEqual(pageErrors, []);
});

test('producer menu: begin a transaction, send, commit; crash and restart the producer', async () => {
  await openLesson('transaction-read-committed');
  await page.getByTestId('help').getByRole('button').click();
  // After the lesson's last COMMIT marker the producer is READY, with time left in the run.
  await scrubTo((await lastMarker('txn-commit')) + 20);
  const bank = page.getByTestId('producer-bank');
  assert.equal(await bank.getAttribute('data-txn-state'), 'READY');
  const openMenu = async () => {
    await bank.getByRole('button', { name: /bank/ }).first().click();
    await page.getByTestId('txn-menu').waitFor();
  };
  await openMenu();
  for (const id of ['act-begin', 'act-commit', 'act-abort', 'act-pcrash']) {
    const item = page.getByTestId(id);
    await item.scrollIntoViewIfNeeded();
    const topmost = await item.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return el.contains(document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2));
    });
    assert.ok(topmost, `${id} is visible and on top`);
  }
  await shot('20-producer-transaction-menu');
  const start = await stepNumber();
  await page.getByTestId('act-begin').click();
  await waitForStep(start + 1);
  assert.match(await page.getByTestId('notice').textContent(), /Branched/);
  await openMenu();
  await page.getByTestId('send-count').fill('2');
  await page.getByTestId('act-send').click();
  await waitForStep(start + 2);
  await waitComputed();
  // The records go out in the transaction: IN_TRANSACTION, open cells, an LSO tag.
  // Once they are replicated (below the HW), the LSO stays at the transaction's start.
  for (let s = start + 2; (await page.getByTestId('lso').count()) === 0 && s < start + 600; s += 10) await scrubTo(s);
  assert.ok((await page.locator('g[data-txn="open"]').count()) > 0, 'records of the open transaction');
  assert.equal(await bank.getAttribute('data-txn-state'), 'IN_TRANSACTION');
  assert.ok((await page.getByTestId('lso').count()) > 0, 'an LSO tag');
  await shot('21-transaction-open-by-hand');
  const commits = await page.locator('g[data-txn="marker-commit"]').count();
  await openMenu();
  const committedAt = await stepNumber();
  await page.getByTestId('act-commit').click();
  await waitForStep(committedAt + 1);
  await waitComputed();
  // The timeline marks where the COMMIT marker was written.
  const marker = await lastMarker('txn-commit');
  assert.ok(marker > committedAt, 'a COMMIT marker after the commit');
  await scrubTo(marker);
  assert.ok((await page.locator('g[data-txn="marker-commit"]').count()) > commits, 'new COMMIT markers');
  await waitFor(() => document.querySelector('[data-testid="producer-bank"]').dataset.txnState === 'READY');
  assert.match(page.url(), /:begin\.bank~\d+:produce\.bank\.payments\.2~\d+:commit\.bank/, page.url());
  // Crash and restart: the card says so, and the link keeps both.
  await openMenu();
  await page.getByTestId('act-pcrash').click();
  await waitFor(() => document.querySelector('[data-testid="producer-bank"]').dataset.status === 'crashed');
  await bank.getByTestId('producer-down').waitFor();
  await shot('22-producer-crashed');
  await bank.getByRole('button', { name: /bank/ }).first().click();
  await page.getByTestId('act-prestart').click();
  await waitFor(() => document.querySelector('[data-testid="producer-bank"]').dataset.status === 'running');
  assert.match(page.url(), /:pcrash\.bank~\d+:prestart\.bank/);
  // The link replays it all.
  const url = page.url();
  const here = await snapshot();
  const other = await context.newPage();
  await other.goto(url);
  await other.getByTestId('step').waitFor();
  page = other;
  assert.deepEqual(await snapshot(), here);
  assert.deepEqual(pageErrors, []);
});

test('exactly-once pipeline: the consumer writes to its output topic in transactions', async () => {
  await openLesson('pipeline-exactly-once');
  await page.getByTestId('help').getByRole('button').click();
  const end = Number(await page.getByTestId('scrubber').getAttribute('max'));
  await scrubTo(end);
  const billing = page.getByTestId('consumer-billing');
  assert.match(await billing.getByTestId('pipeline').textContent(), /invoices/);
  assert.match(await billing.getByTestId('transactional-id').textContent(), /billing-1/);
  assert.equal(await billing.getByTestId('txn-state').textContent(), 'READY');
  // The restarted instance fenced the crashed one's epoch: the event log says so.
  await page.getByTestId('event-filter').fill('fenced');
  await waitFor(() => [...document.querySelectorAll('[data-testid="event"]')].some((e) => /billing-1: epoch bumped to 1/.test(e.textContent)));
  await page.getByTestId('tab-anomalies').click();
  await page.getByTestId('no-anomalies').waitFor();
  await shot('23-pipeline-exactly-once');
  assert.deepEqual(pageErrors, []);
});

// ------------------------------------------------------------------ RocketMQ
/** Scrubs to the last step at or before `ms` of simulated time (a binary search with the scrubber). */
const scrubToTime = async (ms) => {
  let lo = 0;
  let hi = Number(await page.getByTestId('scrubber').getAttribute('max'));
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    await scrubTo(mid);
    if (Number(await page.getByTestId('cluster').getAttribute('data-time-ms')) <= ms) lo = mid;
    else hi = mid - 1;
  }
  await scrubTo(lo);
};
/** What the flagship's cards show: the consumerOffset rows of master and slave, C's queue. */
const rmqShown = async () =>
  page.evaluate(() => {
    const card = (key) => document.querySelector(`[data-testid="rmq-broker-${key}"]`);
    const text = (root, id) => root?.querySelector(`[data-testid="${id}"]`)?.textContent.trim();
    const queue = document.querySelector('[data-testid="rmq-consumer-C"] [data-testid="rmq-queue"]');
    return {
      master: text(card('broker-a-0'), 'offset-mem'),
      file: text(card('broker-a-0'), 'offset-file'),
      slave: text(card('broker-a-1'), 'offset-mem'),
      masterStatus: text(card('broker-a-0'), 'broker-status'),
      pullsFrom: text(queue, 'pulls-from'),
    };
  });

test('countdown rings: a crashed broker\'s session runs down on its card until the controller fences it', async () => {
  await openLesson('acks1-leader-failure');
  await scrubToTime(8000);
  const ring = page.getByTestId('broker-1').getByTestId('timer');
  assert.equal(await ring.getAttribute('data-config'), 'broker.session.timeout.ms');
  const before = Number(await ring.getAttribute('data-left-ms'));
  assert.match(await ring.getAttribute('title'), /broker\.session\.timeout\.ms: .* left — the controller fences the broker/);
  await page.setViewportSize({ width: 1280, height: 720 });
  await shot('33-timer-ring-1280x720');
  await page.setViewportSize({ width: 1600, height: 1000 });
  await scrubToTime(11000);
  assert.ok(Number(await ring.getAttribute('data-left-ms')) < before, 'the ring runs down');
  assert.equal(await page.getByTestId('broker-2').getByTestId('timer').count(), 0, 'a live broker heartbeats in time');
  await page.getByTestId('lang-zh').click();
  await waitFor(() => /控制器隔离/.test(document.querySelector('[data-testid="broker-1"] [data-testid="timer"]').title));
  await page.getByTestId('lang-en').click();
  await scrubToTime(13000);
  assert.equal(await page.getByTestId('broker-1').getByTestId('timer').count(), 0, 'fenced: nothing left to count');
  assert.deepEqual(pageErrors, []);
});

test('durability and ordering lessons: page-cache bars until the power loss; nonmonotonic-key in both languages', async () => {
  await openLesson('power-loss-unflushed');
  // Before the hosts lose power (45 s), the three records acknowledged at 40 s are only in
  // the page cache on every replica: each has the bar, and the legend says what it means.
  await scrubToTime(44000);
  const bars = await page.locator('[data-testid^="broker-"] [data-testid="replica-orders-0"] .hw-unflushed-bar').count();
  assert.equal(bars, 9, 'three unflushed records on each of three replicas');
  await page.getByTestId('legend').getByText(/page cache only/).waitFor();
  await page.setViewportSize({ width: 1280, height: 720 });
  await shot('30-power-loss-before-1280x720');
  await page.setViewportSize({ width: 1600, height: 1000 });
  // After the restart the records are gone and the checker says so.
  await page.keyboard.press('End');
  await page.getByTestId('tab-anomalies').click();
  assert.equal(await page.locator('[data-testid="anomaly"][data-kind="lost-write"]:not(.future)').count(), 3);
  // A key spread over partitions by a partitioner that ignores keys: processed out of order.
  await openLesson('key-order-round-robin');
  await page.keyboard.press('End');
  await page.getByTestId('tab-anomalies').click();
  const reorder = page.locator('[data-testid="anomaly"][data-kind="nonmonotonic-key"]:not(.future)');
  assert.equal(await reorder.count(), 1);
  assert.match(await reorder.textContent(), /order-42/);
  await shot('31-key-order-round-robin');
  await page.getByTestId('lang-zh').click();
  await waitFor(() => document.querySelector('[data-testid="anomaly"]').textContent.includes('同键乱序'));
  await shot('32-key-order-round-robin-zh');
  await page.getByTestId('lang-en').click();
  assert.deepEqual(pageErrors, []);
});

test('RocketMQ flagship: master down, the consumer reads from the slave, the master returns (section 5.4)', async () => {
  await page.goto(site.url);
  const card = page.getByTestId('shelf-rocketmq').getByTestId('lesson-rmq-master-returns-keeps-progress');
  assert.match(await card.textContent(), /1 group · 2 brokers · 1 queue · 2 clients/);
  await card.getByTestId('open-rmq-master-returns-keeps-progress').click();
  await page.getByTestId('step').waitFor();
  await waitComputed();
  assert.equal(await page.getByTestId('cluster').getAttribute('data-model'), 'rocketmq');
  assert.match(await page.getByTestId('no-failover').textContent(), /no automatic failover/);
  assert.equal(await page.getByTestId('tab-partitions').count(), 0, 'no Kafka tabs on a RocketMQ run');
  // 1. Normal: C pulls from the master; the master's table is ahead of its file and of the slave's copy.
  await scrubToTime(16400);
  let shown = await rmqShown();
  assert.deepEqual([shown.master, shown.file, shown.slave], ['5', '4', '3'], JSON.stringify(shown));
  assert.equal(shown.pullsFrom, 'broker-a-0');
  const cells = page.getByTestId('rmq-broker-broker-a-0').getByTestId('cl-cell');
  assert.ok((await cells.count()) >= 5, 'the CommitLog tail as cells');
  assert.match(await cells.last().textContent(), /#9\s*q0:9/, 'the newest entry last');
  await shot('20-rocketmq-normal');
  // 2. The master crashed: no automatic failover, the group takes no new messages.
  await scrubToTime(30010);
  assert.match((await rmqShown()).masterStatus, /crashed/);
  assert.equal(await page.getByTestId('rmq-group-broker-a').getAttribute('data-writable'), 'false');
  // 3-4. C reads from the slave and reports its offset there; the master's memory is gone.
  await scrubToTime(49000);
  shown = await rmqShown();
  assert.deepEqual([shown.master, shown.file, shown.slave], ['—', '4', '10'], JSON.stringify(shown));
  assert.match(shown.pullsFrom, /broker-a-1/);
  await shot('21-rocketmq-reads-from-slave');
  // 5-6. The master is back; the slave's periodic copy overwrote its newer offset with the master's older one.
  await scrubToTime(63500);
  shown = await rmqShown();
  assert.deepEqual([shown.master, shown.file, shown.slave], ['4', '4', '4'], `the regression: ${JSON.stringify(shown)}`);
  const sync = page.locator('[data-testid="marker"][data-kind="offset-sync"]');
  assert.ok(await sync.first().isVisible(), 'the offset-sync marker');
  assert.ok(Number(await sync.first().getAttribute('data-step')) <= (await stepNumber()));
  await shot('22-rocketmq-offset-regression');
  // 7. C's next report repairs the master, and the slave copies it.
  await scrubToTime(73500);
  shown = await rmqShown();
  assert.deepEqual([shown.master, shown.file, shown.slave], ['10', '10', '10'], JSON.stringify(shown));
  assert.deepEqual(pageErrors, []);
});

test('RocketMQ: crash a broker by clicking, Chinese labels, presenter mode at 1280x720', async () => {
  await openLesson('rmq-master-returns-keeps-progress');
  await scrubToTime(20000);
  const at = await stepNumber();
  // The consumer's menu offers RocketMQ's actions, not Kafka's (pause, close, add partitions).
  await page.getByTestId('rmq-consumer-C').getByRole('button', { name: 'C', exact: true }).click();
  await page.getByTestId('menu').waitFor();
  assert.equal(await page.getByTestId('act-ccrash').count(), 1);
  assert.equal(await page.getByTestId('act-cfail').count(), 1);
  for (const kafkaOnly of ['act-cpause', 'act-cclose', 'act-add-consumer', 'act-add-partitions']) {
    assert.equal(await page.getByTestId(kafkaOnly).count(), 0, `no ${kafkaOnly} on a RocketMQ run`);
  }
  await page.keyboard.press('Escape');
  await page.getByTestId('rmq-broker-broker-a-1').getByRole('button', { name: /^Broker broker-a-1/ }).click();
  await page.getByTestId('menu').waitFor();
  assert.equal(await page.getByTestId('act-disk-stall').count(), 1);
  await page.getByTestId('act-crash').click();
  await waitForStep(at + 1);
  assert.equal(await page.getByTestId('rmq-broker-broker-a-1').getAttribute('data-status'), 'crashed');
  assert.match(await page.getByTestId('notice').textContent(), new RegExp(`Branched at step ${at}`));
  assert.match(page.url(), new RegExp(`do=${at}:crash\\.2`));
  // A producer sends from its menu.
  await page.getByTestId('rmq-producer-producer').getByRole('button', { name: 'producer', exact: true }).click();
  await page.getByTestId('mode-async').click();
  await page.getByTestId('act-send').click();
  await waitForStep(at + 2);
  await page.getByTestId('lang-zh').click();
  await waitFor(() => document.querySelector('[data-testid="no-failover"]').textContent.includes('经典主从模式'));
  assert.match(await page.getByTestId('rmq-broker-broker-a-0').textContent(), /内存中/);
  assert.match(await page.getByTestId('rmq-broker-broker-a-1').getByTestId('broker-status').textContent(), /已宕机/);
  await shot('23-rocketmq-chinese');
  await page.getByTestId('lang-en').click();
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.getByTestId('presenter').click();
  await waitFor(() => document.documentElement.dataset.presenter === 'on');
  const overflow = await page.evaluate(() => {
    const stage = document.querySelector('[data-testid="cluster"]').getBoundingClientRect();
    return [...document.querySelectorAll('[data-testid="cluster"] .hw-card')].filter((c) => {
      const r = c.getBoundingClientRect();
      return r.right > stage.right + 1 || r.left < stage.left - 1 || r.right > window.innerWidth;
    }).length;
  });
  assert.equal(overflow, 0, 'every card fits the 1280-pixel width');
  await shot('24-rocketmq-presenter-1280');
  assert.deepEqual(pageErrors, []);
});
