// The printable monitoring report checked in a real headless browser (Debian's chromium, driven
// by playwright-core; no browser download). The HTML route authenticates by the bearer header
// only — no token in the URL — so the page is opened with the header set on the browser context.
// Checks: the page renders one SVG chart per indicator, each with a bar per municipality of the
// table and figures written beside the bars; no request leaves the server's origin. Saves a
// full-page screenshot (PNG) and a PDF.
//
//   node report_browser.mjs URL TOKEN OUT_PREFIX
import { chromium } from 'playwright-core';

const [url, token, out] = process.argv.slice(2);
if (!url || !token || !out) {
  console.error('usage: node report_browser.mjs URL TOKEN OUT_PREFIX');
  process.exit(2);
}
const origin = new URL(url).origin;
const fail = (msg) => {
  console.error(`report_browser: ${msg}`);
  process.exitCode = 1;
};

// playwright launches chromium with a fresh temporary profile (--user-data-dir) every time.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
try {
  const context = await browser.newContext({
    extraHTTPHeaders: { Authorization: `Bearer ${token}`, Accept: 'text/html' },
    viewport: { width: 1100, height: 900 },
  });
  const page = await context.newPage();
  const foreign = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url());
  });
  const res = await page.goto(url, { waitUntil: 'load' });
  if (!res || res.status() !== 200) throw new Error(`status ${res?.status()}`);
  if (!(res.headers()['content-type'] ?? '').startsWith('text/html')) throw new Error('not text/html');

  const report = await page.evaluate(() => {
    const rows = [...document.querySelectorAll('table tr')].slice(1).map((tr) => tr.cells[0]?.textContent ?? '');
    const charts = [...document.querySelectorAll('svg')].map((svg) => {
      const box = svg.getBoundingClientRect();
      const bars = [...svg.querySelectorAll('rect')].map((r) => r.getBoundingClientRect());
      const texts = [...svg.querySelectorAll('text')].map((t) => t.textContent ?? '');
      return { width: box.width, height: box.height, bars: bars.length, drawn: bars.filter((b) => b.height > 0).length, texts };
    });
    return { title: document.title, h1: document.querySelector('h1')?.textContent ?? '', rows, charts };
  });

  const municipalities = report.rows.length;
  if (municipalities === 0) fail('the table lists no municipality');
  if (report.charts.length < 6) fail(`expected a chart per indicator, found ${report.charts.length}`);
  report.charts.forEach((c, i) => {
    if (!(c.width > 0 && c.height > 0)) fail(`chart ${i} is not rendered (${c.width}×${c.height})`);
    if (c.bars !== municipalities || c.drawn !== municipalities) {
      fail(`chart ${i}: ${c.bars} bars (${c.drawn} drawn) for ${municipalities} municipalities`);
    }
    const names = c.texts.filter((t) => report.rows.includes(t)).length;
    const figures = c.texts.filter((t) => /\d/.test(t) || t === 'скрыто' || t === 'нет данных').length;
    if (names !== municipalities || figures < municipalities) {
      fail(`chart ${i}: ${names} municipality labels and ${figures} figures for ${municipalities} municipalities`);
    }
  });
  const withValues = report.charts.filter((c) => c.texts.some((t) => /[1-9]/.test(t) && !report.rows.includes(t)));
  if (withValues.length === 0) fail('no chart shows a non-zero figure');
  if (foreign.length) fail(`requests left the origin: ${foreign.join(', ')}`);

  await page.screenshot({ path: `${out}.png`, fullPage: true });
  await page.pdf({ path: `${out}.pdf`, format: 'A4', printBackground: true });
  console.log(
    `report_browser: "${report.h1}": ${report.charts.length} charts × ${municipalities} municipalities; saved ${out}.png, ${out}.pdf`,
  );
} catch (e) {
  fail(e?.message ?? String(e));
} finally {
  await browser.close();
}
