// `cargo xtask bench --trace`: a DevTools performance trace of the newborn wizard's step changes
// at 4× CPU, against a running server (ONETHING_BENCH_URL) that serves a build whose wasm keeps
// its function names. Writes the trace (open it in DevTools' Performance panel) to
// ONETHING_TRACE_OUT and prints, over the measured click → painted intervals only: the main
// thread's time by trace event (style, layout, paint, GC, script entry points), the sampled CPU
// profile's self time by function and by crate, inclusive time of the app's own functions, and
// the DOM nodes added and removed per transition. The summary is written beside the trace.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { launchOptions, phone, roundTrip, throttle, toMotherPage } from './steps.mjs';

const base = process.env.ONETHING_BENCH_URL;
const out = process.env.ONETHING_TRACE_OUT;
// Summarises a trace written before instead of recording one (no server needed).
const from = process.env.ONETHING_TRACE_FROM;
if (!out || !(base || from)) throw new Error('run through `cargo xtask bench --trace`');
const roundTrips = Number(process.env.ONETHING_BENCH_ROUND_TRIPS || 8);
const url = (path) => new URL(path, base).href;

const CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'v8.execute',
  'disabled-by-default-v8.cpu_profiler',
  'disabled-by-default-v8.gc',
  'blink.user_timing',
  'toplevel',
];

/** Counts the elements and text nodes added and removed under `body` since the last read. */
const countMutations = () => {
  window.__dom = { added: 0, removed: 0 };
  const size = (n) => (n.nodeType === 1 ? 1 + n.getElementsByTagName('*').length : 1);
  new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) window.__dom.added += size(n);
      for (const n of r.removedNodes) window.__dom.removed += size(n);
    }
  }).observe(document.body, { subtree: true, childList: true });
};
const takeMutations = (page) =>
  page.evaluate(() => {
    const d = window.__dom;
    window.__dom = { added: 0, removed: 0 };
    return d;
  });

let trace;
const timings = { back: [], forward: [], dom: [] };
if (from) trace = JSON.parse(readFileSync(from, 'utf8'));
else trace = await record();

async function record() {
const browser = await chromium.launch(launchOptions());
try {
  const context = await phone(browser);
  const page = await context.newPage();
  await toMotherPage(page, url);
  await page.evaluate(countMutations);
  const cdp = await throttle(page);
  // One unrecorded round trip first: the code paths are compiled (tiered up) as in the bench.
  await roundTrip(page);
  await takeMutations(page);
  await browser.startTracing(page, { categories: CATEGORIES, screenshots: false });
  for (let i = 0; i < roundTrips; i++) {
    const t = await roundTrip(page);
    timings.back.push(t.back);
    timings.forward.push(t.forward);
    // Both directions together (the probe's measures separate them in the trace).
    timings.dom.push(await takeMutations(page));
  }
  const recorded = JSON.parse((await browser.stopTracing()).toString('utf8'));
  await cdp.detach();
  await context.close();
  writeFileSync(out, JSON.stringify(recorded));
  return recorded;
} finally {
  await browser.close();
}
}

// ---------------------------------------------------------------------------------------------
// The summary

const ms = (us) => us / 1000;
const events = trace.traceEvents ?? trace;
const windows = [];
{
  const open = new Map();
  for (const e of events) {
    if (e.cat !== 'blink.user_timing' || e.name !== 'bench-click') continue;
    const key = `${e.pid}:${e.id ?? e.id2?.local}`;
    if (e.ph === 'b') open.set(key, e);
    else if (e.ph === 'e' && open.has(key)) {
      windows.push({ pid: e.pid, start: open.get(key).ts, end: e.ts });
      open.delete(key);
    }
  }
}
if (windows.length === 0) throw new Error('no bench-click measures in the trace');
windows.sort((a, b) => a.start - b.start);
const pid = windows[0].pid;
const mainTid = events.find(
  (e) => e.pid === pid && e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain',
)?.tid;
const inWindow = (ts) => windows.some((w) => ts >= w.start && ts < w.end);
const overlap = (s, e) => windows.reduce((sum, w) => sum + Math.max(0, Math.min(e, w.end) - Math.max(s, w.start)), 0);
const windowTotal = windows.reduce((s, w) => s + (w.end - w.start), 0);

// Main thread: self time of each trace event (its duration less its children's), clipped to the
// windows.
const selfByEvent = new Map();
{
  const xs = events
    .filter((e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && e.dur > 0)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const stack = [];
  const add = (name, us) => selfByEvent.set(name, (selfByEvent.get(name) ?? 0) + us);
  const close = (node) => {
    // Self intervals: the event's span minus its children's spans.
    let cursor = node.e.ts;
    let self = 0;
    for (const c of node.children) {
      self += overlap(cursor, c.ts);
      cursor = Math.max(cursor, c.ts + c.dur);
    }
    self += overlap(cursor, node.e.ts + node.e.dur);
    add(node.e.name, self);
  };
  for (const e of xs) {
    while (stack.length && stack[stack.length - 1].e.ts + stack[stack.length - 1].e.dur <= e.ts) close(stack.pop());
    if (stack.length) stack[stack.length - 1].children.push(e);
    stack.push({ e, children: [] });
  }
  while (stack.length) close(stack.pop());
}

// Per transition, the main thread's CPU time (trace events' thread time: time it ran, not time
// it waited for a core; a loaded machine still shows in it, less than in wall time) from the
// click to the first Paint of the new page, and that wall time.
const perTransition = windows.map((w) => {
  const paint = events.find(
    (e) => e.pid === pid && e.tid === mainTid && e.ph === 'X' && e.name === 'Paint' && e.ts > w.start && e.ts < w.end
      && events.some((c) => c.pid === pid && c.tid === mainTid && c.name === 'EventDispatch' && c.args?.data?.type === 'click' && c.ts > w.start && c.ts < e.ts),
  );
  const until = paint ? paint.ts : w.end;
  let cpu = 0;
  for (const e of events) {
    if (e.pid === pid && e.tid === mainTid && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.ts >= w.start && e.ts < until) {
      cpu += e.tdur ?? 0;
    }
  }
  return { to_paint_ms: +ms(until - w.start).toFixed(1), cpu_to_paint_ms: +ms(cpu).toFixed(1) };
});

// The sampled CPU profile of the main thread.
const demangle = (name) => {
  if (!name.startsWith('_ZN')) return name;
  let i = 3;
  const parts = [];
  while (i < name.length && name[i] !== 'E') {
    let n = 0;
    while (/[0-9]/.test(name[i])) n = n * 10 + Number(name[i++]);
    if (n === 0) break;
    parts.push(name.slice(i, i + n));
    i += n;
  }
  if (parts.length && /^h[0-9a-f]{16}$/.test(parts[parts.length - 1])) parts.pop();
  return parts
    .join('::')
    .replace(/^_\$/, '$')
    .replaceAll('$LT$', '<').replaceAll('$GT$', '>').replaceAll('$RF$', '&').replaceAll('$BP$', '*')
    .replaceAll('$C$', ',').replaceAll('$u20$', ' ').replaceAll('$u27$', "'").replaceAll('$u5b$', '[')
    .replaceAll('$u5d$', ']').replaceAll('$u7b$', '{').replaceAll('$u7d$', '}').replaceAll('$u7e$', '~')
    .replaceAll('..', '::');
};
const nodes = new Map();
const samples = [];
{
  const profiles = new Map();
  for (const e of events) {
    if (e.pid !== pid) continue;
    if (e.name === 'Profile') profiles.set(e.id, { tid: e.tid, time: e.args.data.startTime });
  }
  for (const e of events) {
    if (e.pid !== pid || e.name !== 'ProfileChunk') continue;
    const p = profiles.get(e.id);
    if (!p || p.tid !== mainTid) continue;
    const cpu = e.args.data.cpuProfile ?? {};
    for (const n of cpu.nodes ?? []) nodes.set(`${e.id}:${n.id}`, { ...n, key: `${e.id}:${n.id}`, parentKey: n.parent === undefined ? undefined : `${e.id}:${n.parent}` });
    const deltas = e.args.data.timeDeltas ?? [];
    (cpu.samples ?? []).forEach((s, i) => {
      p.time += deltas[i] ?? 0;
      samples.push({ node: `${e.id}:${s}`, ts: p.time });
    });
  }
  samples.sort((a, b) => a.ts - b.ts);
}
const frameName = (n) => {
  const f = n.callFrame;
  const fn = demangle(f.functionName || '(anonymous)');
  if (f.url?.startsWith('wasm://') || f.url?.endsWith('.wasm')) return `wasm ${fn.replace(/::h[0-9a-f]{16}$/, '')}`;
  if (!f.url) return fn;
  return `${fn} (${f.url.split('/').pop()})`;
};
const crateOf = (n) => {
  const f = n.callFrame;
  if (!(f.url?.startsWith('wasm://') || f.url?.endsWith('.wasm'))) {
    if (!f.url) return f.functionName || '(native)';
    return `js ${f.url.split('/').pop().replace(/-[0-9a-f]{16}/, '')}`;
  }
  const name = demangle(f.functionName);
  const m = name.match(/^<?(?:&(?:mut )?)?(?:dyn )?([A-Za-z_][A-Za-z0-9_]*)::/);
  return `wasm ${m ? m[1] : name.startsWith('$') || /^func\d+/.test(name) ? '(unnamed)' : name}`;
};
const selfByFn = new Map();
const selfByCrate = new Map();
const inclusive = new Map();
let sampled = 0;
for (let i = 0; i < samples.length - 1; i++) {
  const s = samples[i];
  if (!inWindow(s.ts)) continue;
  const dt = Math.min(samples[i + 1].ts - s.ts, 5000);
  const leaf = nodes.get(s.node);
  if (!leaf || leaf.callFrame.functionName === '(idle)') continue;
  sampled += dt;
  const bump = (m, k) => m.set(k, (m.get(k) ?? 0) + dt);
  bump(selfByFn, frameName(leaf));
  bump(selfByCrate, crateOf(leaf));
  const seen = new Set();
  for (let n = leaf; n; n = nodes.get(n.parentKey)) {
    const name = frameName(n);
    if (!seen.has(name)) {
      seen.add(name);
      bump(inclusive, name);
    }
  }
}

const top = (m, n, filter = () => true) =>
  [...m.entries()].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, ms: +ms(us).toFixed(1) }));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const summary = {
  transitions: windows.length,
  measured_ms: +ms(windowTotal).toFixed(1),
  per_transition_ms: +(ms(windowTotal) / windows.length).toFixed(1),
  back_ms: timings.back.map((v) => +v.toFixed(1)),
  continue_ms: timings.forward.map((v) => +v.toFixed(1)),
  dom_nodes_per_round_trip: timings.dom,
  sampled_cpu_ms: +ms(sampled).toFixed(1),
  click_to_paint_ms: perTransition.map((t) => t.to_paint_ms),
  main_thread_cpu_to_paint_ms: perTransition.map((t) => t.cpu_to_paint_ms),
  main_thread_self_by_event: top(selfByEvent, 25),
  cpu_self_by_crate: top(selfByCrate, 20),
  cpu_self_by_function: top(selfByFn, 40),
  cpu_inclusive_app_functions: top(inclusive, 25, (k) => /onething|leptos|tachys|reactive_graph|serde|js_sys|wasm_bindgen/.test(k)),
  cpu_inclusive_own_functions: top(inclusive, 40, (k) => /^wasm .*onething(_core)?::/.test(k)),
};
const summaryPath = out.replace(/\.json$/, '') + '-summary.json';
writeFileSync(summaryPath, JSON.stringify(summary, null, 2));

const table = (title, rows) => {
  console.log(`\n${title}`);
  for (const r of rows) console.log(`${r.ms.toFixed(1).padStart(9)} ms  ${r.name}`);
};
const probe = timings.back.length
  ? `; Back median ${median(timings.back).toFixed(0)} ms, Continue median ${median(timings.forward).toFixed(0)} ms`
  : '';
console.log(
  `trace: ${summary.transitions} transitions, ${summary.measured_ms} ms measured ` +
    `(${summary.per_transition_ms} ms each${probe}), ${summary.sampled_cpu_ms} ms sampled busy`,
);
console.log(
  `click → first paint of the new page: median ${median(summary.click_to_paint_ms).toFixed(1)} ms wall, ` +
    `main thread CPU meanwhile median ${median(summary.main_thread_cpu_to_paint_ms).toFixed(1)} ms`,
);
console.log(`DOM nodes added/removed per round trip: ${timings.dom.map((d) => `${d.added}/${d.removed}`).join(' ')}`);
table('main thread, self time by trace event', summary.main_thread_self_by_event);
table('CPU profile, self time by crate (wasm) or script', summary.cpu_self_by_crate);
table('CPU profile, self time by function', summary.cpu_self_by_function);
table('CPU profile, inclusive time of app / framework functions', summary.cpu_inclusive_app_functions);
table("CPU profile, inclusive time of the app's own functions", summary.cpu_inclusive_own_functions);
console.log(`\ntrace: ${out}\nsummary: ${summaryPath}`);
