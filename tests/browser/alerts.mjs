// Headless-Chromium, screenshot-based check that the live page shows an
// active alert (CTest: server_dashboard_alert_browser, via
// run_alerts_test.sh, which starts finex with an alert already firing).
// The page must list the alert by name, and a screenshot of the alerts panel
// must show the alert's severity colour (pixels read back from the PNG).
// Usage: node alerts.mjs http://127.0.0.1:PORT ALERT_NAME SCREENSHOT.png
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';

const [base, alertName, shot] = process.argv.slice(2);
if (!base || !alertName || !shot) {
  console.error('usage: node alerts.mjs BASE_URL ALERT_NAME SCREENSHOT.png');
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
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(base + '/?poll=300', { waitUntil: 'load' });
  await page.waitForFunction(() => Number(document.body.dataset.alerts || 0) >= 1, null, { timeout: 20000 });
  const state = await page.evaluate(() => ({
    items: [...document.querySelectorAll('#alerts li')].map((li) => ({ text: li.textContent, cls: li.className })),
    noneShown: getComputedStyle(document.getElementById('alerts-none')).display !== 'none',
  }));
  console.log(JSON.stringify(state));
  const item = state.items.find((i) => i.text.includes(alertName));
  if (!item) fail(`alert ${alertName} not listed: ${JSON.stringify(state.items)}`);
  if (state.noneShown) fail('"no active alerts" shown while an alert is active');

  // The screenshot itself: the panel's PNG, decoded in the page, must hold
  // the severity colour of the alert's left border (--c warning, --d critical).
  const panel = await page.$('#alerts-panel');
  const png = await panel.screenshot();
  writeFileSync(shot, png);
  const want = item && item.cls.includes('critical') ? [0xe5, 0x73, 0x73] : [0xff, 0xb7, 0x4d];
  const painted = await page.evaluate(async ({ b64, want }) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.abs(d[i] - want[0]) < 12 && Math.abs(d[i + 1] - want[1]) < 12 && Math.abs(d[i + 2] - want[2]) < 12) n++;
    }
    return { n, w: img.width, h: img.height };
  }, { b64: png.toString('base64'), want });
  console.log('severity-colour pixels in the panel screenshot: ' + JSON.stringify(painted));
  if (painted.n < 40) fail(`the alerts panel screenshot shows no severity colour (${painted.n} pixels)`);
  if (errors.length) fail('console errors: ' + errors.join(' | '));
  console.log('screenshot: ' + shot);
} finally {
  await browser.close();
}
