// Photo figures for `cargo xtask bench`, against a running server (ONETHING_BENCH_URL):
// - compression of a generated 12-megapixel JPEG by the app's own pipeline (the photo.js module
//   the app loads), its output size, and the longest main-thread task meanwhile;
// - upload efficiency: six photos sent through the wizard over a 3 Mbit/s uplink with 100 ms
//   round trips (a loopback proxy), as the ideal time of one request per photo divided by the
//   time the app took;
// - memory after those six photos: JS heap and wasm linear memory (growth must be ~0: photo
//   bytes never enter wasm).
// Every loop is bounded; writes raw samples as JSON to ONETHING_BENCH_OUT.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { slowUplink } from '../e2e/harness.mjs';
import { exampleApplication, jpeg, materials, walk } from '../e2e/wizard.mjs';

const base = process.env.ONETHING_BENCH_URL;
const out = process.env.ONETHING_BENCH_OUT;
if (!base || !out) throw new Error('run through `cargo xtask bench`');
const runs = Number(process.env.ONETHING_BENCH_PHOTO_RUNS || 5);
const UPLINK = (3 * 1000 * 1000) / 8; // 3 Mbit/s in bytes per second
const RTT_MS = 100;
const PHOTOS = 6;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    '--enable-precise-memory-info'],
});
const phone = () => browser.newContext({ viewport: { width: 360, height: 780 }, deviceScaleFactor: 2 });

/** Compression of a 4000 × 3000 JPEG by the app's photo module, `runs` times. */
async function compression() {
  const context = await phone();
  try {
    const page = await context.newPage();
    // A page that loads the whole app (a wizard's first step): it preloads the whole app's
    // scripts, photo.js among them; the catalogue preloads only the first module's.
    await page.goto(new URL('apply/newborn/eligibility', base).href);
    await page.waitForFunction(() => performance.getEntriesByName('app-ready').length > 0);
    return await page.evaluate(async (runs) => {
      const href = document.querySelector('link[rel="modulepreload"][href*="/src/upload/photo.js"]').href;
      const { compressPhoto } = await import(href);
      // A photo-like 12 MP image: gradients and noise, so the encoder has real work.
      const c = new OffscreenCanvas(4000, 3000);
      const g = c.getContext('2d');
      const grad = g.createLinearGradient(0, 0, 4000, 3000);
      grad.addColorStop(0, '#c9d6e3');
      grad.addColorStop(1, '#4a3b2a');
      g.fillStyle = grad;
      g.fillRect(0, 0, 4000, 3000);
      const noise = g.createImageData(4000, 3000);
      for (let i = 0; i < noise.data.length; i += 4) {
        const v = Math.random() * 60;
        noise.data[i] = v; noise.data[i + 1] = v; noise.data[i + 2] = v; noise.data[i + 3] = 40;
      }
      g.putImageData(noise, 0, 0);
      const photo = await c.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
      const longest = [];
      const observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) longest.push(e.duration);
      });
      observer.observe({ type: 'longtask' });
      const result = { input_bytes: photo.size, ms: [], output_bytes: [], main_thread_longest_ms: [] };
      for (let i = 0; i < runs; i++) {
        longest.length = 0;
        const t0 = performance.now();
        const outBlob = await compressPhoto(photo, 1600, 0.85, 0);
        result.ms.push(performance.now() - t0);
        result.output_bytes.push(outBlob.size);
        await new Promise((r) => setTimeout(r, 50));
        result.main_thread_longest_ms.push(longest.length ? Math.max(...longest) : 0);
      }
      observer.disconnect();
      return result;
    }, runs);
  } finally {
    await context.close();
  }
}

/** Six photos through the wizard over a slow uplink; efficiency and memory. */
async function sixPhotos() {
  const uplink = await slowUplink(base, UPLINK, RTT_MS);
  const context = await phone();
  try {
    const page = await context.newPage();
    const def = await (await fetch(new URL('/api/services/shop-opening', base))).json();
    const example = exampleApplication('shop-opening');
    await walk(page, uplink.url, def, example);
    const rest = Object.fromEntries(Object.entries(example.materials).filter(([k]) => k !== 'floor_plan'));
    await materials(page, def, { ...example, materials: rest });
    await page.locator('#material-floor_plan-upload').check();
    const cdp = await context.newCDPSession(page);
    // After a garbage collection, so the figures are what the app keeps, not what the test's
    // own photo generation left behind.
    const memory = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      return page.evaluate(() => ({
        wasm: window.wasmBindings.wasm_memory_bytes(),
        heap: performance.memory.usedJSHeapSize,
      }));
    };
    const before = await memory();
    const requests = [];
    page.on('requestfinished', async (r) => {
      if (!/\/api\/uploads/.test(r.url()) || !['POST', 'PATCH'].includes(r.method())) return;
      // The file's size is the creation request's Upload-Length (Playwright cannot see Blob bodies).
      const length = r.method() === 'POST' ? Number((await r.allHeaders())['upload-length'] ?? 0) : 0;
      requests.push({ bytes: length, timing: r.timing() });
    });
    const efficiency = [];
    for (let i = 0; i < PHOTOS; i++) {
      const from = requests.length;
      await page.locator(`#material-floor_plan-page-${i}-album`).setInputFiles(await jpeg(page, { width: 3000, height: 4000 }));
      await page.locator(`#material-floor_plan-page-${i}`).getByText('已上传').waitFor({ timeout: 120_000 });
      await page.waitForTimeout(50);
      const mine = requests.slice(from);
      const bytes = mine.reduce((s, r) => s + r.bytes, 0);
      const start = Math.min(...mine.map((r) => r.timing.startTime));
      const end = Math.max(...mine.map((r) => r.timing.startTime + r.timing.responseEnd));
      const ideal = (bytes / UPLINK) * 1000 + RTT_MS;
      efficiency.push((ideal / (end - start)) * 100);
    }
    const after = await memory();
    return {
      photo_bytes: [requests.reduce((s, r) => s + r.bytes, 0)],
      efficiency,
      wasm_growth: [after.wasm - before.wasm],
      wasm_after: [after.wasm],
      heap_after: [after.heap],
    };
  } finally {
    await context.close();
    await uplink.close();
  }
}

try {
  const c = await compression();
  const p = await sixPhotos();
  writeFileSync(out, JSON.stringify({ compression: c, ...p }, null, 2));
} finally {
  await browser.close();
}
