// Chinese mode shows Chinese (issue 14): every lesson on the start screen is opened in 中文,
// at its first, a middle and its last step, with each bottom tab and the help open, and every
// visible text (and title / aria-label / placeholder) of the page must contain Chinese, unless
// all its English words are names Kafka or RocketMQ give things (config keys, message and
// exception names, error codes, ISR/HW/LEO), names from the lesson's own scenario file (b1,
// orders-0, billing), numbers, units and symbols. A text that has Chinese must not carry an
// untranslated English phrase either (three plain English words in a row).
// Build first: `trunk build --release` (scripts/dev test does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';
import { CHROME, CHROMIUM_ARGS } from './chromium.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = process.env.HIGHWATER_DIST ?? path.join(ROOT, 'dist');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

let site;
let browser;

before(async () => {
  assert.ok(existsSync(path.join(DIST, 'index.html')), `${DIST}/index.html missing: run trunk build --release first`);
  mkdirSync(ARTIFACTS, { recursive: true });
  site = await startServer({ dir: DIST });
  browser = await chromium.launch({ executablePath: CHROME, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await site?.close();
});

// ------------------------------------------------------------------ what may stay English
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
/** Words with a shape that only Kafka's, RocketMQ's or a scenario's names have. */
const NAME_SHAPES = [
  /\d/, // b1, orders-0, e3, c2, 2xx
  /^[A-Za-z0-9]+([._-][A-Za-z0-9]+)+$/, // min.insync.replicas, read_committed, lost-write, broker-a
  /^[A-Z][A-Z0-9_]+$/, // ISR, HW, LEO, NOT_ENOUGH_REPLICAS, SEND_OK
  /^[A-Z]?[a-z0-9]+(?:[A-Z]+[a-z0-9]*)+$/, // FetchResponse, JoinGroup, NetworkException, retryTimesWhenSendFailed, KRaft
  /^[A-Za-z]$/, // one letter: a node (C, P), a unit (s, B)
];
/** Single plain words that are Kafka's or RocketMQ's own names, units, or terms the glossary
 * (shared/reference/lessons.md) keeps in Chinese text ("broker 1 是 leader", "orders-0 offset 2"). */
const NAMES = new Set([
  // products
  'Kafka', 'RocketMQ', 'Highwater', 'Trunk', 'Yew',
  // request kinds without a second capital, and Kafka / RocketMQ terms kept in Chinese prose
  'Produce', 'Fetch', 'Metadata', 'Heartbeat', 'broker', 'Broker', 'leader', 'follower', 'offset', 'epoch',
  'acks', 'all', 'master', 'slave', 'CommitLog', 'ConsumeQueue', 'poll', 'commit', 'seed', 'JSON',
  // Kafka's group and transaction states with one capital (PreparingRebalance is CamelCase)
  'Empty', 'Stable', 'Dead', 'Unknown', 'Ongoing',
  // config keys of one word, and the values the settings panel offers or shows as Kafka writes them
  'retries', 'true', 'false', 'null', 'none', 'never', 'earliest', 'latest', 'range', 'roundrobin', 'sticky', 'pid',
  // units
  'ms', 's', 'min', 'KiB', 'MiB', 'GiB', 'px',
  // the short forms of message kinds where a whole name does not fit (format::abbrev_kinds;
  // the tooltip names the message): abbreviations of Kafka's and RocketMQ's API names
  'Prod', 'Meta', 'HB', 'BHB', 'Reg', 'Closed', 'Join', 'Sync', 'Leave', 'Commit', 'Markers', 'Send', 'Pull',
  'Members', 'Notify',
]);
/** Config values the scenarios set (Kafka's and RocketMQ's own words): shown as they are. */
const CONFIG_KEYS = new Set([
  'acks', 'allocateMessageQueueStrategy', 'auto.offset.reset', 'brokerRole', 'flushDiskType', 'isolation.level',
  'messageModel', 'partition.assignment.strategy', 'partitioner.class', 'sim.commit', 'sim.dedup', 'sim.send.style',
  'anomalies',
]);
/** Keys whose string values name a node, topic, group, key or transactional id. */
const NAME_KEYS = new Set([
  'name', 'producer', 'consumer', 'reader', 'group', 'topic', 'topics', 'from', 'to', 'between', 'broker', 'node',
  'key', 'transactional.id', 'kind',
]);

/** Every scenario file the app ships, by the id its start screen uses. */
const scenarios = () => {
  const out = new Map();
  for (const dir of ['scenarios', 'scenarios/rocketmq', 'src/ui/scenarios']) {
    for (const f of readdirSync(path.join(ROOT, dir)).filter((f) => f.endsWith('.json'))) {
      const s = JSON.parse(readFileSync(path.join(ROOT, dir, f), 'utf8'));
      out.set(s.id, s);
    }
  }
  return out;
};

/** The names a scenario gives its nodes, topics, groups and keys, and the config values it sets. */
const scenarioNames = (scenario) => {
  const names = new Set();
  const walk = (v, key) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) if (!['text', 'title', 'description'].includes(k)) walk(x, k);
    } else if (typeof v === 'string' && (NAME_KEYS.has(key) || CONFIG_KEYS.has(key))) {
      for (const w of v.split(/[\s,]+/)) names.add(w);
    }
  };
  walk(scenario);
  return names;
};

/** The English words of `text` (runs of letters, with the ._- inside identifiers). */
const words = (text) => text.match(/[A-Za-z][A-Za-z0-9]*(?:['._-][A-Za-z0-9]+)*/g) ?? [];
const allowed = (word, names) => names.has(word) || NAMES.has(word) || NAME_SHAPES.some((re) => re.test(word));

/** Why `text` is not Chinese enough, or null. */
const offence = (text, names) => {
  const ws = words(text);
  if (!CJK.test(text)) {
    const bad = ws.filter((w) => !allowed(w, names));
    return bad.length ? `no Chinese; English: ${bad.join(' ')}` : null;
  }
  // Three plain English words in a row, in a Chinese text: an untranslated phrase.
  let run = [];
  for (const tok of text.split(/(?<=[\s,;:()（）。，：；“”"'])|(?=[\s,;:()（）。，：；“”"'])/)) {
    const t = tok.trim();
    if (!t || /^[\s,;:()（）"']+$/.test(t)) continue;
    if (/^[A-Za-z]+$/.test(t) && !allowed(t, names)) {
      run.push(t);
      if (run.length >= 3) return `English phrase: ${run.join(' ')}`;
    } else run = [];
  }
  return null;
};

// ------------------------------------------------------------------ what the page shows
/** Every visible text node and tooltip of the page, with where it is (its nearest test ids). */
const visibleTexts = (page) =>
  page.evaluate(() => {
    const shown = (el) => {
      if (!el || !el.checkVisibility({ checkVisibilityCSS: true })) return false;
      const r = el.getBoundingClientRect();
      return r.width > 0 || r.height > 0;
    };
    const where = (el) => {
      const ids = [];
      for (let e = el; e && ids.length < 3; e = e.parentElement) if (e.dataset?.testid) ids.push(e.dataset.testid);
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.split(' ')[0]}` : '';
      return `${el.tagName.toLowerCase()}${cls}${ids.length ? ` in ${ids.join(' < ')}` : ''}`;
    };
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.nodeValue.trim();
      const el = n.parentElement;
      if (!text || !el || el.closest('script, style, noscript')) continue;
      const tag = el.tagName.toLowerCase();
      // An SVG <title> is its parent's tooltip; an <option> shows while its <select> does.
      const owner = tag === 'title' ? el.parentElement : tag === 'option' ? el.closest('select') : el;
      if (shown(owner)) out.push({ text, where: `${tag === 'title' ? 'tooltip of ' : ''}${where(owner)}` });
    }
    for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder]')) {
      if (!shown(el)) continue;
      for (const attr of ['title', 'aria-label', 'placeholder']) {
        const text = el.getAttribute(attr)?.trim();
        if (text) out.push({ text, where: `${attr} of ${where(el)}` });
      }
    }
    return out;
  });

test('Chinese mode: every visible string of every lesson is Chinese, apart from Kafka and RocketMQ names', async () => {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, locale: 'zh-CN', colorScheme: 'light' });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  const all = scenarios();
  /** text → { why, where: Set of "lesson @ place: element" }. */
  const offences = new Map();
  const check = async (lesson, place, names) => {
    for (const { text, where } of await visibleTexts(page)) {
      const why = offence(text, names);
      if (!why) continue;
      if (!offences.has(text)) offences.set(text, { why, where: new Set() });
      offences.get(text).where.add(`${lesson} @ ${place}: ${where}`);
    }
  };
  const waitFor = (fn, arg, timeout = 10000) => page.waitForFunction(fn, arg, { timeout });
  const stepIs = (want) => waitFor((w) => document.querySelector('[data-testid="step"]')?.textContent.trim() === String(w), want);
  const tabs = async (lesson, place, names) => {
    for (const tab of ['events', 'anomalies', 'partitions', 'lag', 'settings']) {
      const button = page.getByTestId(`tab-${tab}`);
      if ((await button.count()) === 0) continue; // a RocketMQ run has no Kafka tabs
      await button.click();
      await waitFor((id) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute('aria-selected') === 'true', `tab-${tab}`);
      // The anomalies still to come are folded: unfold them, they are text too.
      if (tab === 'anomalies') for (const s of await page.locator('.hw-anomalies summary').all()) await s.click();
      await check(lesson, `${place}, tab ${tab}`, names);
    }
    await page.getByTestId('tab-events').click();
  };

  await page.goto(site.url);
  await page.getByTestId('lang-zh').click();
  await waitFor(() => document.documentElement.lang === 'zh-CN');
  const ids = await page.$$eval('[data-testid^="open-"]', (els) => els.map((e) => e.dataset.testid.slice(5)));
  assert.ok(ids.length >= 50, `the lessons: ${ids}`);
  assert.ok(ids.some((id) => id.startsWith('rmq-')), 'a RocketMQ lesson among them');
  await check('start screen', 'start', new Set());

  for (const id of ids) {
    const scenario = all.get(id);
    assert.ok(scenario, `a scenario file for ${id}`);
    const names = scenarioNames(scenario);
    // Back to the start screen without reloading the page (a reload costs the wasm's start).
    if (await page.getByTestId('scenarios').count()) await page.getByTestId('scenarios').click();
    await page.getByTestId(`open-${id}`).click();
    await page.getByTestId('step').waitFor();
    await waitFor(() => !/computing|计算中/.test(document.querySelector('.hw-of')?.textContent ?? 'computing'), null, 60000);
    const last = Number(await page.getByTestId('scrubber').getAttribute('max'));
    // Home, with the help shown (it stays dismissed once closed: `?` brings it back).
    await page.keyboard.press('Home');
    await stepIs(0);
    if ((await page.getByTestId('help').count()) === 0) await page.keyboard.press('?');
    await page.getByTestId('help').waitFor();
    await check(id, 'Home', names);
    // A middle step, with every tab.
    const middle = Math.floor(last / 2);
    await page.getByTestId('scrubber').evaluate((el, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, middle);
    await stepIs(middle);
    await check(id, `step ${middle}`, names);
    await tabs(id, `step ${middle}`, names);
    // The end, with every tab.
    await page.keyboard.press('End');
    await stepIs(last);
    await check(id, 'End', names);
    await tabs(id, 'End', names);
    if (id === 'acks1-leader-failure') {
      await page.getByTestId('tab-anomalies').click();
      await page.screenshot({ path: path.join(ARTIFACTS, 'chinese-acks1-anomalies-1600.png') });
    }
  }
  await context.close();

  const report = [...offences].map(([text, { why, where }]) => {
    const at = [...where];
    return `  ${JSON.stringify(text)} (${why})\n      ${at.slice(0, 3).join('\n      ')}${at.length > 3 ? `\n      … and ${at.length - 3} more` : ''}`;
  });
  assert.equal(report.length, 0, `${report.length} strings in Chinese mode are not Chinese:\n${report.join('\n')}`);
  assert.deepEqual(pageErrors, []);
});
