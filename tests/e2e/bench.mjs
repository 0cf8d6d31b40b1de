// UI benchmark (not a test: nothing here passes or fails). Run on demand against the
// built app:   trunk build --release && node tests/e2e/bench.mjs [--runs N]
//
// In headless Chromium it measures, for the 9-broker and the 50-broker clusters (and, for
// comparison, a small lesson drawn in full detail with SVG messages):
//  * compute: time to compute the whole run in the background after opening it;
//  * step render: from a key press (→) to the DOM updated and laid out (reducer, view
//    model, Yew diff and patch, style and layout; painting is the compositor's);
//  * frames: requestAnimationFrame intervals while playing with ≥ 200 messages in flight
//    (messages glide with CSS transitions while the reducer steps);
// and the size of every file the page loads, raw and gzipped.
// Prints a Markdown table (for docs/performance.md) and writes test-artifacts/bench.json.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = process.env.HIGHWATER_DIST ?? path.join(ROOT, 'dist');
import { CHROME, CHROMIUM_ARGS } from './chromium.mjs';
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 40;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] : NaN;
};
const f1 = (x) => x.toFixed(1);

function bundle() {
  const rows = readdirSync(DIST).map((name) => {
    const body = readFileSync(path.join(DIST, name));
    return { name, raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
  });
  const total = rows.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip }), { raw: 0, gzip: 0 });
  return { rows, total };
}

async function measure(browser, site, scenario, { width = 1600, height = 1000 } = {}) {
  const page = await browser.newPage({ viewport: { width, height } });
  const t0 = Date.now();
  await page.goto(`${site.url}#s=${scenario}&step=0`);
  await page.getByTestId('step').waitFor();
  await page.waitForFunction(() => !/computing/.test(document.querySelector('.hw-of')?.textContent ?? 'computing'), null, { timeout: 180000 });
  const computeMs = Date.now() - t0;
  const horizon = Number(await page.getByTestId('scrubber').getAttribute('max'));

  const drawnCount = () =>
    page.evaluate(() => document.querySelectorAll('[data-testid="msg"]').length
      + Number(document.querySelector('[data-testid="flight-canvas"]')?.dataset.count ?? 0));
  // Find a step with at least 200 messages drawn (a small lesson has none: it starts halfway).
  let start = Math.floor(horizon / 2);
  for (let s = Math.floor(horizon / 8); s < horizon; s += Math.floor(horizon / 16)) {
    await page.getByTestId('scrubber').evaluate((el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, s);
    await page.waitForFunction((v) => document.querySelector('[data-testid="step"]').textContent.trim() === String(v), s);
    if ((await drawnCount()) >= 200) { start = s; break; }
  }
  await page.getByTestId('scrubber').evaluate((el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, start);
  await page.waitForFunction((v) => document.querySelector('[data-testid="step"]').textContent.trim() === String(v), start);
  const drawn = await drawnCount();
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);

  // Step render: key press -> step label changed -> forced style and layout.
  const renders = await page.evaluate(async (runs) => {
    const label = document.querySelector('[data-testid="step"]');
    const out = [];
    for (let i = 0; i < runs; i++) {
      const before = label.textContent;
      const done = new Promise((resolve) => {
        const mo = new MutationObserver(() => {
          if (label.textContent !== before) {
            mo.disconnect();
            void document.body.offsetHeight; // style + layout, synchronously
            resolve(performance.now());
          }
        });
        mo.observe(label, { childList: true, characterData: true, subtree: true });
      });
      const t = performance.now();
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
      const end = await done;
      out.push(end - t);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    }
    return out;
  }, RUNS);

  // Frames while playing (60 steps/s: a re-render every frame; 10 steps/s: glides between).
  const frames = {};
  for (const [label, speedIndex] of [['10 steps/s', 3], ['60 steps/s', 5]]) {
    await page.getByTestId('scrubber').evaluate((el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', { bubbles: true })); }, start);
    await page.getByTestId('speed').selectOption(String(speedIndex));
    await page.getByTestId('play').click();
    const gaps = await page.evaluate(async () => {
      const out = [];
      let last = performance.now();
      const until = last + 3000;
      await new Promise((resolve) => {
        const tick = (now) => {
          out.push(now - last);
          last = now;
          if (now < until) requestAnimationFrame(tick); else resolve();
        };
        requestAnimationFrame(tick);
      });
      return out.slice(2);
    });
    await page.keyboard.press('Space');
    const inFlight = await drawnCount();
    frames[label] = {
      frames: gaps.length,
      median: median(gaps),
      p95: pct(gaps, 95),
      fps: 1000 / (gaps.reduce((a, b) => a + b, 0) / gaps.length),
      over20ms: gaps.filter((g) => g > 20).length,
      drawnAtEnd: inFlight,
    };
  }
  await page.close();
  return { scenario, horizon, computeMs, start, drawn, domNodes, render: { median: median(renders), p95: pct(renders, 95), max: Math.max(...renders) }, frames };
}

const site = await startServer({ dir: DIST });
const browser = await chromium.launch({ executablePath: CHROME, args: CHROMIUM_ARGS });
const results = { chromium: browser.version(), bundle: bundle(), runs: [] };
for (const s of ['cluster-9-brokers', 'cluster-50-brokers', 'more-consumers-than-partitions']) {
  results.runs.push(await measure(browser, site, s));
}
await browser.close();
await site.close();

mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
writeFileSync(path.join(ROOT, 'test-artifacts', 'bench.json'), JSON.stringify(results, null, 2));

console.log(`Chromium ${results.chromium}, ${RUNS} step renders per cluster\n`);
console.log('| cluster | steps | compute run | DOM nodes | messages drawn | step render median / p95 / max | playing 10 steps/s: median frame, p95, fps | playing 60 steps/s: median frame, p95, fps |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results.runs) {
  const a = r.frames['10 steps/s'];
  const b = r.frames['60 steps/s'];
  console.log(`| ${r.scenario} | ${r.horizon} | ${(r.computeMs / 1000).toFixed(2)} s | ${r.domNodes} | ${r.drawn} (at step ${r.start}) | ${f1(r.render.median)} / ${f1(r.render.p95)} / ${f1(r.render.max)} ms | ${f1(a.median)} ms, ${f1(a.p95)} ms, ${f1(a.fps)} fps | ${f1(b.median)} ms, ${f1(b.p95)} ms, ${f1(b.fps)} fps |`);
}
console.log('\n| file | raw | gzip -9 |\n|---|---|---|');
for (const r of results.bundle.rows) console.log(`| ${r.name.replace(/-[0-9a-f]{16}/, '-…')} | ${r.raw.toLocaleString('en')} B | ${r.gzip.toLocaleString('en')} B |`);
console.log(`| **total** | ${results.bundle.total.raw.toLocaleString('en')} B | **${results.bundle.total.gzip.toLocaleString('en')} B** |`);
