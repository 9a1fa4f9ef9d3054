// The whole app's module (Trunk's `onething-full` build: the wizard, uploads, drafts, tracking),
// loaded by the first page's small module when the person goes beyond the catalogue and the
// landing pages. Its files have fixed names, so the build id in the query keeps caches honest.
const url = (file, build) => {
  const u = new URL(file, document.baseURI);
  u.searchParams.set('v', build);
  return u.href;
};

// Resolves in a task of its own (src/lite.rs: the first page's views are built after the
// module's instantiation, not in the same task).
export const nextTask = () => new Promise((resolve) => setTimeout(resolve));

let loading = null;

// The whole app's wasm, compiled while the landing page is read (see `prefetchFull`): Start then
// only instantiates it. Compiling a megabyte of wasm on a mid-range phone takes most of a second.
let compiled = null;

// Imports and starts the whole app; its `main` replaces this module's page in #app. A failure
// (no network and nothing cached) can be retried.
export function loadFull(build) {
  if (!loading) {
    loading = (async () => {
      // Instantiated while the guide was read (`prepareFull`): it goes on; else loaded now.
      const ready = standby && (await standby.catch(() => null));
      release();
      if (ready) {
        window.wasmBindings = ready;
        return;
      }
      // The wasm and its JavaScript at the same time, not one after the other.
      const fetched = () => fetch(url('onething-full_bg.wasm', build));
      const wasm = compiled ? compiled.catch(fetched) : fetched();
      wasm.catch(() => {});
      const m = await import(url('onething-full.js', build));
      await m.default({ module_or_path: wasm });
      // As Trunk does for the first module: the benchmark reads the whole app's memory here.
      window.wasmBindings = m;
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

import { registerWorker } from './register.js';

let prefetched = false;

// Fetches the whole app's files at low priority into the HTTP cache, so that Start opens the
// wizard without waiting; then registers the service worker, whose precache finds them there
// instead of downloading them a second time. With `standbyToo`, the app is also instantiated
// and waits for Start (`prepareFull`); without, it is only compiled: a page that shows the
// wizard's first step itself on Start (`src/first.js`) instantiates it then, and the reading
// of the guide is left without that work.
export function prefetchFull(build, standbyToo = true) {
  if (prefetched || loading) return;
  prefetched = true;
  // Imported as soon as it has arrived (evaluating it runs nothing of the app): the scripts it
  // imports, which this page does not preload, then come while the wasm is still streaming in.
  const script = fetch(url('onething-full.js', build), { priority: 'low' })
    .then((r) => r.arrayBuffer())
    .then(() => import(url('onething-full.js', build)));
  // Fetched into the HTTP cache and compiled (off the main thread) as it streams in.
  const wasm = fetch(url('onething-full_bg.wasm', build), { priority: 'low' });
  compiled = WebAssembly.compileStreaming(wasm);
  const files = [script, compiled];
  Promise.allSettled(files).then((results) => {
    if (results.some((r) => r.status === 'rejected')) prefetched = false;
    else if (!loading && standbyToo) standby = prepareFull(build);
    registerWorker(build);
  });
}

// The whole app instantiated before Start, waiting for `onethingStandby` (src/lib.rs).
let standby = null;
let release = () => {};

async function prepareFull(build) {
  window.onethingStandby = new Promise((resolve) => {
    release = () => {
      delete window.onethingStandby;
      resolve();
    };
  });
  const m = await import(url('onething-full.js', build));
  await m.default({ module_or_path: compiled });
  return m;
}
