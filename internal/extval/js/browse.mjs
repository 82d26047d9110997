// Opens pages in a real headless Chromium (Debian's chromium, driven by
// puppeteer-core over the DevTools protocol), for the tests:
//
//   node browse.mjs OUTDIR FILE.html...
//
// For each page it writes OUTDIR/<n>.png (a screenshot of the first 1000x800 pixels) and
// prints, as one JSON array, the page's visible text (innerText, which
// leaves out what CSS hides), the console errors, uncaught page errors
// and failed requests. The browser is $CHROMIUM, else /usr/bin/chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const [outDir, ...files] = process.argv.slice(2);
const profile = mkdtempSync(join(tmpdir(), 'reportgen-chromium-'));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  userDataDir: profile,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
});
const results = [];
try {
  // One tab for every page: each goto replaces the document, and the
  // listeners collect into the current page's lists.
  const page = await browser.newPage();
  await page.setViewport({ width: 1000, height: 800 });
  let consoleErrors, pageErrors, failedRequests;
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => pageErrors.push(String(e.message ?? e)));
  page.on('requestfailed', (r) => failedRequests.push(r.url()));
  for (const [i, file] of files.entries()) {
    consoleErrors = []; pageErrors = []; failedRequests = [];
    await page.goto(pathToFileURL(resolve(file)).href, { waitUntil: 'load' });
    const text = await page.evaluate(() => document.body ? document.body.innerText : '');
    const title = await page.title();
    const screenshot = join(outDir, `${i}.png`);
    await page.screenshot({ path: screenshot });
    results.push({ file, title, text, screenshot, consoleErrors, pageErrors, failedRequests });
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(results) + '\n');
