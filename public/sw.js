// The app shell's service worker: OneThing opens without network (the shell, its code and the
// catalogue come from the cache) and shows what is queued. Personal data is never cached: API
// answers other than the public service catalogue always go to the network, and uploads and
// submissions (not GET) pass straight through.

// The page registers `sw.js?v=<build id>`: every build is a new worker with its own cache, and
// the old cache goes when it activates.
const BUILD = new URL(self.location.href).searchParams.get('v') || 'dev';
const CACHE = `onething-shell-${BUILD}`;
const scope = new URL(self.registration.scope);

function isPublicCatalogue(url) {
  const path = url.pathname.slice(scope.pathname.length - 1);
  return /^\/api\/services(\/[a-z0-9_-]+)?$/.test(path);
}

// Which page answers a navigation, as the server (or a static host) chooses it: the catalogue
// at the root, a one-thing's prerendered landing page and its wizard's prerendered first step at
// their paths, and the shell (which loads the whole app) everywhere else. Each is cached under
// its own key, so an offline visit gets the page of its kind, never another page's content.
const SHELL = new URL('shell.html', scope).href;
function pageKey(url) {
  const path = url.pathname.slice(scope.pathname.length - 1);
  if (path === '/' || path === '/index.html') return scope.href;
  const landing = path.match(/^\/services\/([a-z0-9_-]+)\/?$/);
  if (landing) return new URL(`services/${landing[1]}`, scope).href;
  if (/^\/accessibility\/?$/.test(path)) return new URL('accessibility', scope).href;
  const entry = path.match(/^\/apply\/([a-z0-9_-]+)\/eligibility\/?$/);
  if (entry) return new URL(`apply/${entry[1]}/eligibility`, scope).href;
  return SHELL;
}

async function navigate(request) {
  const cache = await caches.open(CACHE);
  const key = pageKey(new URL(request.url));
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (err) {
    // A landing page not seen yet opens as the shell, which asks for the definition.
    const hit = (await cache.match(key)) || (await cache.match(SHELL));
    if (hit) return hit;
    throw err;
  }
}

// Caches the pages (the catalogue and the shell), then every script, wasm and stylesheet it names, the whole app's
// module (which the first page's module loads by name, with the build id), then the modules
// those scripts import (wasm-bindgen snippets) and the photo worker.
async function precache() {
  const cache = await caches.open(CACHE);
  const shell = await fetch(scope.href, { cache: 'no-cache' });
  if (!shell.ok) return;
  const html = await shell.clone().text();
  await cache.put(scope.href, shell);
  const deep = await fetch(SHELL, { cache: 'no-cache' }).catch(() => null);
  if (deep && deep.ok) await cache.put(SHELL, deep);
  const assets = new Set(['photo-worker.js', 'photo-transform.js'].map((p) => new URL(p, scope).href));
  for (const file of ['onething-full.js', 'onething-full_bg.wasm']) {
    const u = new URL(file, scope);
    u.searchParams.set('v', BUILD);
    assets.add(u.href);
  }
  for (const m of html.matchAll(/(?:href|src)="([^"]+\.(?:js|wasm|css))"/g)) assets.add(new URL(m[1], scope).href);
  for (const m of html.matchAll(/from\s*'([^']+\.js)'|init\(\s*'([^']+\.wasm)'/g)) assets.add(new URL(m[1] || m[2], scope).href);
  // The first page's module, which the catalogue's own script starts only where it is needed
  // (inside an app platform, with a queued submission …): named without its extension.
  for (const m of html.matchAll(/data-first-module="([^"]+)"/g)) {
    for (const ext of ['.js', '_bg.wasm']) assets.add(new URL(m[1] + ext, scope).href);
  }
  const scripts = [...assets].filter((u) => new URL(u).pathname.endsWith('.js'));
  for (const url of scripts) {
    const r = await fetch(url, { cache: 'no-cache' }).catch(() => null);
    if (!r || !r.ok) continue;
    const text = await r.clone().text();
    await cache.put(url, r);
    assets.delete(url);
    for (const m of text.matchAll(/['"](\.?\.?\/?snippets\/[^'"]+\.js)['"]/g)) assets.add(new URL(m[1], url).href);
  }
  await Promise.all([...assets].map((u) => cache.add(u).catch(() => {})));
  // The pages open while the worker installs were loaded before it could keep them: a landing
  // page (its service guide) read once must open without network too.
  await keepOpenPagesInTurn([]);
}

// Fetches again, and keeps, the prerendered pages open in a window, and `also`. The server
// answers a page in the language the person chose (its cookie), so this is done again when
// they change it (the app says so: the `language` message, with the language's tag, asked for
// by name because the new cookie may not have reached the network yet): the copy a page opens
// with offline is then in their language.
async function keepOpenPages(cache, also, lang) {
  const keys = new Set(also);
  for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
    const key = pageKey(new URL(client.url));
    if (key !== SHELL && key !== scope.href) keys.add(key);
  }
  for (const key of keys) {
    const url = new URL(key);
    if (lang) url.searchParams.set('lang', lang);
    const r = await fetch(url, { cache: 'no-cache' }).catch(() => null);
    if (r && r.ok) await cache.put(key, r);
  }
}

// One after another, never two at once: two changes in a row would otherwise race, and the
// answer in the older language could be kept last.
let keeping = Promise.resolve();
function keepOpenPagesInTurn(also, lang) {
  keeping = keeping
    .then(() => caches.open(CACHE))
    .then((cache) => keepOpenPages(cache, also, lang))
    .catch(() => {});
  return keeping;
}

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'language' && /^[A-Za-z-]{2,8}$/.test(data.lang || '')) {
    event.waitUntil(keepOpenPagesInTurn([scope.href], data.lang));
  }
});

self.addEventListener('install', (event) => {
  event.waitUntil(precache().catch(() => {}).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (err) {
    const hit = await cache.match(key);
    if (hit) return hit;
    throw err;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  // The region table (`regions.json`, fetched when an address is first shown) is kept too.
  if (response.ok && /\.(js|wasm|css|svg|png|woff2?)$|\/regions\.json$/.test(new URL(request.url).pathname)) {
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  if (url.pathname.startsWith(scope.pathname + 'api/')) {
    if (isPublicCatalogue(url)) event.respondWith(networkFirst(request, request));
    return;
  }
  // The deployment's runtime configuration: fresh when online, the last one seen offline.
  if (url.pathname === scope.pathname + 'config.json') {
    event.respondWith(networkFirst(request, request));
    return;
  }
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request));
    return;
  }
  event.respondWith(cacheFirst(request));
});
