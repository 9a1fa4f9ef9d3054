// Lighthouse mobile (its default profile: simulated slow 4G, 4× CPU, a phone screen) for
// `cargo xtask bench`, with Debian's Chromium, against a running server (ONETHING_BENCH_URL).
// Each run is a separate Lighthouse process with its own browser, bounded by a timeout.
// Writes raw samples as JSON to ONETHING_BENCH_OUT: per page, score (0–100), FCP, LCP, TBT (ms), CLS.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const base = process.env.ONETHING_BENCH_URL;
const out = process.env.ONETHING_BENCH_OUT;
if (!base || !out) throw new Error('run through `cargo xtask bench`');
const runs = Number(process.env.ONETHING_BENCH_LIGHTHOUSE_RUNS || 3);
const pages = { home: '/', newborn: '/services/newborn' };

const cli = createRequire(import.meta.url).resolve('lighthouse/cli/index.js');
const flags = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

function lighthouse(url) {
  const args = [cli, url, '--quiet', '--output=json', '--output-path=stdout',
    '--only-categories=performance', `--chrome-flags=${flags.join(' ')}`];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, {
      env: { ...process.env, CHROME_PATH: process.env.CHROMIUM_BIN || '/usr/bin/chromium' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 180_000,
    }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`lighthouse failed: ${err.message}\n${stderr}`));
      const report = JSON.parse(stdout);
      if (report.runtimeError) return reject(new Error(`lighthouse: ${report.runtimeError.message}`));
      const a = (id) => report.audits[id].numericValue;
      resolve({
        score: Math.round(report.categories.performance.score * 100),
        fcp: a('first-contentful-paint'),
        lcp: a('largest-contentful-paint'),
        tbt: a('total-blocking-time'),
        cls: a('cumulative-layout-shift'),
      });
    });
  });
}

const result = {};
for (const [name, path] of Object.entries(pages)) {
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await lighthouse(new URL(path, base).href));
  result[name] = Object.fromEntries(
    ['score', 'fcp', 'lcp', 'tbt', 'cls'].map((k) => [k, samples.map((s) => s[k])]),
  );
}
writeFileSync(out, JSON.stringify(result, null, 2));
