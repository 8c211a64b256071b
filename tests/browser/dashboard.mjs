// Headless-Chromium check of the finex dashboard: the page loads without
// console errors or external requests, polls /v1/cache/stats and /metrics,
// draws its charts with data, lists the top symbols, and a screenshot is
// written. Usage: node dashboard.mjs http://127.0.0.1:PORT SCREENSHOT.png
import { chromium } from 'playwright-core';

const [base, shot] = process.argv.slice(2);
if (!base || !shot) {
  console.error('usage: node dashboard.mjs BASE_URL SCREENSHOT.png');
  process.exit(2);
}
const fail = (msg) => { console.error('FAIL: ' + msg); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  const external = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });

  const resp = await page.goto(base + '/?poll=300', { waitUntil: 'load' });
  if (!resp || resp.status() !== 200) fail('GET / answered ' + (resp && resp.status()));
  if (!(await page.title()).includes('finex')) fail('unexpected title ' + (await page.title()));

  // At least three polls so the time-series charts have lines.
  await page.waitForFunction(() => Number(document.body.dataset.samples || 0) >= 3, null, { timeout: 20000 });
  const state = await page.evaluate(() => ({
    samples: Number(document.body.dataset.samples),
    symbols: Number(document.body.dataset.symbols || 0),
    hit: document.getElementById('t-hit').textContent,
    saved: document.getElementById('t-saved').textContent,
    lat: document.getElementById('t-lat').textContent,
    status: document.getElementById('status').textContent,
    charts: [...document.querySelectorAll('canvas')].map((c) => ({
      id: c.id, points: Number(c.dataset.points || 0), w: c.width, h: c.height,
      // Non-background pixels prove something was drawn.
      ink: (() => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
        return n;
      })(),
    })),
    rows: document.querySelectorAll('#symbols tbody tr').length,
  }));
  console.log(JSON.stringify(state));
  if (!/%$/.test(state.hit)) fail('hit rate tile not filled: ' + state.hit);
  if (state.lat === '–') fail('latency tile not filled');
  if (state.status.startsWith('cannot reach')) fail('dashboard could not poll: ' + state.status);
  for (const c of state.charts) {
    if (c.points < 3) fail(`chart ${c.id} has ${c.points} points`);
    if (c.ink < 500) fail(`chart ${c.id} looks empty (${c.ink} painted pixels)`);
  }
  if (state.charts.length < 4) fail('expected 4 charts, found ' + state.charts.length);
  if (state.rows < 1) fail('top-symbols table is empty');
  if (errors.length) fail('console errors: ' + errors.join(' | '));
  if (external.length) fail('external requests: ' + external.join(', '));
  await page.screenshot({ path: shot, fullPage: true });
  console.log('screenshot: ' + shot);
} finally {
  await browser.close();
}
