// Registers the app-shell service worker (public/sw.js) at the deployment's root, which the
// document's <base href> names. The build id in its URL makes every new build a new worker, which
// caches the new shell, including the whole app's module (see lite.js).
export function registerWorker(build) {
  if (!('serviceWorker' in navigator)) return;
  const root = new URL('./', document.baseURI);
  const url = new URL('sw.js', root);
  url.searchParams.set('v', build);
  navigator.serviceWorker.register(url, { scope: root.pathname }).catch(() => {});
}
