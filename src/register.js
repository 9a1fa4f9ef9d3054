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

// Tells the service worker that the person changed the language: it fetches the open
// pages again, so that the copies it keeps for offline are in that language (public/sw.js).
export function languageChanged(lang) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.getRegistration(new URL('./', document.baseURI).href)
    .then((r) => {
      // Each worker of the registration: one still installing keeps pages too.
      for (const w of r ? [r.installing, r.waiting, r.active] : []) if (w) w.postMessage({ type: 'language', lang });
    })
    .catch(() => {});
}
