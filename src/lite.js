// The whole app's module (Trunk's `onething-full` build: the wizard, uploads, drafts, tracking),
// loaded by the first page's small module when the person goes beyond the catalogue and the
// landing pages. Its files have fixed names, so the build id in the query keeps caches honest.
const url = (file, build) => {
  const u = new URL(file, document.baseURI);
  u.searchParams.set('v', build);
  return u.href;
};

let loading = null;

// Imports and starts the whole app; its `main` replaces this module's page in #app. A failure
// (no network and nothing cached) can be retried.
export function loadFull(build) {
  if (!loading) {
    loading = (async () => {
      const m = await import(url('onething-full.js', build));
      await m.default({ module_or_path: url('onething-full_bg.wasm', build) });
      // As Trunk does for the first module: the benchmark reads the whole app's memory here.
      window.wasmBindings = m;
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

let prefetched = false;

// Fetches the whole app's files at low priority into the caches (the HTTP cache, and the service
// worker's when it controls the page), so that Start opens the wizard without waiting.
export function prefetchFull(build) {
  if (prefetched || loading) return;
  prefetched = true;
  for (const file of ['onething-full.js', 'onething-full_bg.wasm']) {
    fetch(url(file, build), { priority: 'low' }).catch(() => {
      prefetched = false;
    });
  }
}
