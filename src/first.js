// The first page's own script: the catalogue, each landing page and the accessibility statement
// work with the prerendered HTML and this script alone, without any wasm. The build writes it
// into those pages (src/bin/onething-prerender.rs fills in the values between `__`), so it
// costs no request of its own.
//
// It does what a person does on those pages: searches the catalogue, switches the language (the
// server answers the same page in that language) and elder mode, and on a landing page fetches
// the whole app while the guide is read. Start puts the wizard's first step, prerendered and
// fetched meanwhile, in place at once; the whole app then takes it over. Going further otherwise
// (My applications, a case, sharing the guide) hands the page over to the whole app, as the
// first page's wasm module did.
//
// Where that module is still needed, it starts as before and this script does nothing more:
// inside an app platform or a frame (the host bridge), with a sign-in ticket, with a submission
// queued offline, on the catalogue of a person signed in (their unread messages), when the
// person's language is not the page's, or when the deployment's configuration changes what the
// page shows (`src/lite.rs`).
//
// The search here and `src/pages/home/search.rs` are one rule written twice (the whole app's
// catalogue uses the Rust one): tests/e2e/first-page.test.mjs holds both to the same queries.

// The build id, the page's texts in its language, and the two scripts of `src/lite.js` and
// `src/register.js` as the build named them (wasm-bindgen's snippets).
const BUILD = '__BUILD__';
const PAGE = __PAGE__;

const at = (u) => new URL(u, document.baseURI).href;
const root = new URL(document.baseURI).pathname;
// The page's path under the deployment's root: '' for the catalogue.
const here = () => (location.pathname.startsWith(root) ? location.pathname.slice(root.length) : null);
const landingId = (path) => {
  const m = /^services\/([a-z0-9_-]+)\/?$/.exec(path);
  return m ? m[1] : null;
};
const catalogue = (path) => path === '' || path === 'index.html';
// The pages this script serves: a link to one of them loads it from the server (prerendered).
const firstPage = (path) => catalogue(path) || landingId(path) !== null || /^accessibility\/?$/.test(path);

let config = {};
let handedOver = false;

// The first page's wasm module, started as the page used to start it.
async function startModule() {
  // Named without its extension on this script's element (a size report counts the file
  // names a page quotes, and this one is loaded only here).
  const script = document.querySelector('script[data-first-module]');
  const name = script && script.getAttribute('data-first-module');
  if (!name) return;
  const m = await import(at(name + '.js'));
  await m.default({ module_or_path: at(name + '_bg.wasm') });
  window.wasmBindings = m;
}

function moduleNeeded(path) {
  const ua = navigator.userAgent;
  if (window.parent !== window || window.ZWJSBridge || window.wx || window.my) return true;
  if (/MicroMessenger|AlipayClient/.test(ua)) return true;
  try {
    if (sessionStorage.getItem('onething.pending-ticket')) return true;
    if (localStorage.getItem('onething.outbox') !== null) return true;
    // Signed in: the catalogue counts the person's unread messages (`pages::UnreadLink`).
    if (catalogue(path) && sessionStorage.getItem('onething.session')) return true;
    const chosen = localStorage.getItem('onething.locale') || config.default_locale || 'zh-CN';
    if (chosen !== document.documentElement.lang) return true;
  } catch (e) {
    return true;
  }
  const features = config.features || {};
  if (features.elder_switch === false || features.language_switch === false) return true;
  // A deployment offering some services only: the catalogue lists those, and a landing page of
  // another is not found.
  const offered = Array.isArray(config.services) ? config.services : [];
  const id = landingId(path);
  if (offered.length && (catalogue(path) || (id && !offered.includes(id)))) return true;
  return false;
}

// --- The catalogue's search -------------------------------------------------------------------

// Text as the search compares it: no white space, full-width letters and digits as ASCII, ASCII
// lower case (`search::fold`).
function fold(s) {
  let out = '';
  for (const c of s) {
    if (/^[\s\u0085]$/u.test(c) && c !== '\ufeff') continue;
    const code = c.codePointAt(0);
    const d = code >= 0xff01 && code <= 0xff5e ? String.fromCodePoint(code - 0xfee0) : c;
    out += d >= 'A' && d <= 'Z' ? d.toLowerCase() : d;
  }
  return out;
}

// The query folded, traditional characters made simplified (`search::query`).
function query(q, traditional) {
  const pairs = [...traditional];
  let out = '';
  for (const c of fold(q)) {
    let to = c;
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      if (pairs[i] === c) {
        to = pairs[i + 1];
        break;
      }
    }
    out += to;
  }
  return out;
}

// The ids of the services `q` finds (`search::find`).
function find(list, data, q) {
  const folded = query(q, (data && data.traditional) || '');
  return list
    .filter((s) => {
      if (!folded) return true;
      const entry = data && data.entries.find((e) => e.id === s.id);
      if (entry) return entry.text.includes(folded);
      return [s.title, s.summary].some((t) => fold(t.zh).includes(folded) || fold(t.en).includes(folded));
    })
    .map((s) => s.id);
}

function wireSearch(boot) {
  const input = document.getElementById('service-search');
  const status = document.querySelector('.search-status');
  if (!input || !boot.services) return;
  // Each card with the service its link opens.
  const cards = [...document.querySelectorAll('.cards > .card')].map((card) => {
    const a = card.querySelector('a');
    return { card, id: a ? landingId(new URL(a.href).pathname.slice(root.length)) : null };
  });
  const update = () => {
    const found = find(boot.services, boot.search, input.value);
    for (const { card, id } of cards) card.hidden = !found.includes(id);
    if (!status) return;
    if (!input.value.trim()) status.textContent = '';
    else if (found.length === 0) status.textContent = PAGE.none;
    else if (found.length === 1) status.textContent = PAGE.one;
    else status.textContent = PAGE.many.replace('{n}', String(found.length));
  };
  input.addEventListener('input', update);
  // Typed before this script ran.
  if (input.value) update();
}

// --- Preferences ------------------------------------------------------------------------------

const SWITCHED = 'onething.language-switched';

// After the language switch loaded this page again: the query typed before, and the focus back
// on the switch, where the person (on a keyboard, with a screen reader) left it.
function carryOver(carried) {
  const input = document.getElementById('service-search');
  if (input && carried.q && !input.value) {
    input.value = carried.q;
    input.dispatchEvent(new Event('input'));
  }
  const language = document.querySelector('.language-switch');
  if (language) language.focus();
}

function wireSwitches() {
  const elder = document.querySelector('.elder-switch');
  if (elder) {
    elder.addEventListener('click', () => {
      const on = !document.documentElement.classList.contains('elder');
      document.documentElement.classList.toggle('elder', on);
      elder.setAttribute('aria-pressed', on ? 'true' : 'false');
      try {
        localStorage.setItem('onething.elder', on ? '1' : '0');
      } catch (e) {}
    });
  }
  const language = document.querySelector('.language-switch');
  if (language) {
    language.addEventListener('click', async () => {
      const next = document.documentElement.lang === 'zh-CN' ? 'en' : 'zh-CN';
      try {
        localStorage.setItem('onething.locale', next);
      } catch (e) {}
      // As `src/prefs.rs` keeps it: the server answers the page in this language.
      document.cookie = `onething_locale=${next}; Path=${root}; Max-Age=31536000; SameSite=Lax`;
      // What the page in the other language takes over: the query, and the focus on this switch.
      const input = document.getElementById('service-search');
      try {
        sessionStorage.setItem(SWITCHED, JSON.stringify({ q: input ? input.value : '' }));
      } catch (e) {}
      try {
        const { languageChanged } = await import(at(PAGE.register));
        languageChanged(next);
      } catch (e) {}
      location.reload();
    });
  }
}

// --- Going further: the whole app -------------------------------------------------------------

// Kept once imported: Start then loads the whole app within its own task, with no frame of the
// loading line in between (an `import()` of a loaded module still resolves a task later).
let liteModule = null;
const lite = () => (liteModule ? Promise.resolve(liteModule) : import(at(PAGE.lite)).then((m) => (liteModule = m)));

// Hands the page over to the whole app, which starts with the URL as it is now; says so while it
// loads, and offers a retry when it cannot be loaded. Nothing of the page is lost: it is the
// server's, and the whole app keeps drafts itself.
async function handOver() {
  handedOver = true;
  const main = document.getElementById('main');
  const status = document.createElement('p');
  status.className = 'loading';
  status.setAttribute('role', 'status');
  status.textContent = PAGE.loading;
  if (main) main.replaceChildren(status);
  try {
    const { loadFull } = await lite();
    await loadFull(BUILD);
  } catch (e) {
    if (!main) return;
    const { notice, retry } = failed(() => handOver());
    const back = document.createElement('p');
    const a = document.createElement('a');
    a.href = at('./');
    a.className = 'back-link';
    a.textContent = PAGE.back;
    back.append(a);
    main.replaceChildren(notice, back);
    retry.focus();
  }
}

// The notice that the whole app could not be loaded, with its retry button.
function failed(again) {
  const notice = document.createElement('div');
  notice.className = 'notice notice-error';
  notice.setAttribute('role', 'alert');
  const p = document.createElement('p');
  p.textContent = PAGE.failed;
  const retry = document.createElement('button');
  retry.type = 'button';
  retry.className = 'button primary';
  retry.textContent = PAGE.retry;
  retry.addEventListener('click', again);
  notice.append(p, retry);
  return { notice, retry };
}

// --- Start: the wizard's first step at once ---------------------------------------------------
//
// The build prerenders each one-thing's first step (`apply/<id>/eligibility`), which a deep
// link shows before the whole app has arrived and which the app then takes over
// (`src/takeover.js`). A landing page fetches the build's fragment of that page while its guide
// is read; Start puts it in place at once, and only then starts the whole app (compiled meanwhile),
// which takes it over with what the person has answered and pressed. Where the app would show
// something else (a draft kept on this device: continue it or start another; a person signed
// in: drafts kept on the server), Start hands over as any other link does.

// The prerendered first step of the landing page's one-thing, parsed: `{ id, app, title,
// presses }` (its #app, its title and its `onething-presses` script). And the privacy notice's
// figures, asked for with it.
let entry = null;
let privacyEarly = null;

function prefetchEntry(id, api) {
  // The build's fragment of that page in this page's language (its title, #app and script).
  const lang = document.documentElement.lang;
  fetch(at(`apply/${id}/eligibility/entry.${lang}.html?v=${BUILD}`), { priority: 'low' })
    .then((r) => (r.ok ? r.text() : null))
    .then((text) => {
      if (!text) return;
      // Parsed in a task of its own, not in the tap's.
      setTimeout(() => {
        const doc = new DOMParser().parseFromString(text, 'text/html');
        const app = doc.getElementById('app');
        if (!app || !app.hasAttribute('data-prerendered')) return;
        const presses = doc.getElementById('onething-presses');
        entry = { id, app: document.adoptNode(app), title: doc.title, presses: presses && presses.textContent };
      });
    })
    .catch(() => {});
  // The privacy notice's figures, as a deep link's page asks for them with the page: the app
  // takes the answer once (`api::take_early`).
  const url = `${api}/privacy`;
  privacyEarly = fetch(url, { priority: 'low' })
    .then((r) => (r.ok ? r.text().then((text) => ({ url, text })) : null))
    .catch(() => null);
}

// The Start link's path for the prefetched first step: `apply/<id>` or its first step.
function startsEntry(url, path) {
  if (!entry || url.search || url.hash) return false;
  return path === `apply/${entry.id}` || path === `apply/${entry.id}/` || path === `apply/${entry.id}/eligibility`;
}

// Whether this device keeps a draft of `id` (`src/storage/idb.js`'s `drafts` store), without
// creating the database when there is none; `true` when that cannot be told.
function draftKept(id) {
  return new Promise((resolve) => {
    if (!window.indexedDB || !indexedDB.databases) return resolve(true);
    indexedDB
      .databases()
      .then((dbs) => {
        if (!dbs.some((d) => d.name === 'onething')) return resolve(false);
        const r = indexedDB.open('onething');
        // Deleted meanwhile: not created here.
        r.onupgradeneeded = () => r.transaction.abort();
        r.onerror = r.onblocked = () => resolve(true);
        r.onsuccess = () => {
          const db = r.result;
          if (!db.objectStoreNames.contains('drafts')) {
            db.close();
            return resolve(false);
          }
          const count = db.transaction('drafts').objectStore('drafts').count(id);
          count.onsuccess = () => {
            db.close();
            resolve(count.result > 0);
          };
          count.onerror = () => {
            db.close();
            resolve(true);
          };
        };
      })
      .catch(() => resolve(true));
  });
}

// Whether Start would show something else than the empty first step: a draft kept on this
// device (the app asks which to continue), or a person signed in (drafts on the server).
async function elsewhere(id) {
  try {
    return !!sessionStorage.getItem('onething.session') || (await draftKept(id));
  } catch (e) {
    return true;
  }
}

async function openEntry(href) {
  handedOver = true;
  const { id, app: fresh, title, presses } = entry;
  if (await elsewhere(id)) {
    history.pushState(null, '', href);
    handOver();
    return;
  }
  // Read before the page changes: reading it after would lay the new page out in this task.
  const scrolled = window.scrollY !== 0;
  history.pushState(null, '', at(`apply/${id}/eligibility`));
  document.getElementById('app').replaceWith(fresh);
  document.title = title;
  const elder = fresh.querySelector('.elder-switch');
  if (elder) elder.setAttribute('aria-pressed', document.documentElement.classList.contains('elder') ? 'true' : 'false');
  // The page's script that keeps a button pressed until the app is there, run as that page
  // runs it (with this page's nonce, under a Content-Security-Policy).
  if (presses) {
    const script = document.createElement('script');
    const signed = document.querySelector('script[nonce]');
    if (signed && signed.nonce) script.nonce = signed.nonce;
    script.textContent = presses;
    document.body.append(script);
  }
  if (scrolled) window.scrollTo(0, 0);
  // As the app does after a page change (`dom::focus_heading`): the heading, once painted.
  requestAnimationFrame(() =>
    setTimeout(() => {
      const h = fresh.querySelector('main h1');
      if (!h || !fresh.isConnected || (document.activeElement && document.activeElement !== document.body)) return;
      h.setAttribute('tabindex', '-1');
      h.focus();
    }),
  );
  if (privacyEarly) window.onethingPrivacy = privacyEarly;
  // After the step's first frame: instantiating and starting the whole app takes a long task,
  // which would otherwise hold that frame back (a hidden page draws no frame: at once there).
  if (document.hidden) loadEntry(fresh);
  else requestAnimationFrame(() => setTimeout(() => loadEntry(fresh)));
}

// The whole app, which takes the first step over; a failure says so above the questions, which
// keep what was answered, with a retry.
async function loadEntry(app) {
  try {
    const { loadFull } = await lite();
    await loadFull(BUILD);
  } catch (e) {
    const main = app.querySelector('main');
    if (!main || !app.isConnected) return;
    const { notice, retry } = failed(() => {
      notice.remove();
      loadEntry(app);
    });
    main.prepend(notice);
    retry.focus();
  }
}

function wireLinks() {
  document.addEventListener('click', (e) => {
    if (handedOver || e.defaultPrevented || e.button !== 0) return;
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const share = e.target.closest && e.target.closest('.share-button');
    if (share) {
      e.preventDefault();
      // The whole app shares (`crate::host::SHARE_ASKED`).
      window['onething-share-asked'] = true;
      handOver();
      return;
    }
    const a = e.target.closest && e.target.closest('a[href]');
    if (!a || (a.target && a.target !== '_self') || a.hasAttribute('download')) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(root)) return;
    const path = url.pathname.slice(root.length);
    // Same page (a fragment), or one this script serves: the browser's own navigation.
    if (url.pathname === location.pathname && url.search === location.search) return;
    if (firstPage(path)) return;
    e.preventDefault();
    if (startsEntry(url, path)) {
      openEntry(url.href);
      return;
    }
    history.pushState(null, '', url.href);
    handOver();
  });
  window.addEventListener('popstate', moved);
}

// Whether the address is no longer the one this page was loaded at.
const loadedAt = location.pathname + location.search;
const addressChanged = () => location.pathname + location.search !== loadedAt;

// Back or forward before a module has taken the page: the whole app for a page of its own,
// else the page of that URL from the server.
function moved() {
  if (window.wasmBindings) return;
  const path = here();
  if (path !== null && !firstPage(path)) handOver();
  else if (handedOver || addressChanged()) location.reload();
}

// After the landing page has painted, while it is read: the whole app, and the server's
// definition for the wizard it opens, kept as `api::prefetch_service` keeps it.
function prefetch(id) {
  setTimeout(() => {
    // Compiled, and started only where Start will not show the first step itself
    // (`openEntry`): there the app waits for Start instantiated, as on the module's pages.
    Promise.all([lite(), elsewhere(id)])
      .then(([{ prefetchFull }, standbyToo]) => prefetchFull(BUILD, standbyToo))
      .catch(() => {});
    const api = at(config.api_base || '/api').replace(/\/+$/, '');
    prefetchEntry(id, api);
    fetch(`${api}/services/${id}`)
      .then((r) => (r.ok ? r.text() : null))
      .then((text) => {
        if (text) sessionStorage.setItem(`onething.prefetched-service.${id}`, text);
      })
      .catch(() => {});
  }, 500);
}

async function start() {
  if (window.onethingUnsupported) return;
  const path = here();
  try {
    const text = await window.onethingConfig;
    if (text) config = JSON.parse(text) || {};
  } catch (e) {}
  let carried = null;
  try {
    carried = JSON.parse(sessionStorage.getItem(SWITCHED));
    sessionStorage.removeItem(SWITCHED);
  } catch (e) {}
  if (path === null || moduleNeeded(path)) {
    await startModule();
    return;
  }
  let boot = {};
  try {
    boot = JSON.parse(document.getElementById('onething-boot').textContent) || {};
  } catch (e) {}
  wireSearch(boot);
  wireSwitches();
  wireLinks();
  // Back or forward while the configuration was awaited (to an entry this document had pushed
  // before it was reloaded): as if heard now.
  if (addressChanged()) {
    moved();
    return;
  }
  if (carried) carryOver(carried);
  const id = landingId(path);
  if (id) {
    prefetch(id);
  } else {
    // The service worker precaches the whole app for offline use: not while this page loads
    // (a landing page registers it after its prefetch, `src/lite.js`).
    setTimeout(() => {
      import(at(PAGE.register))
        .then(({ registerWorker }) => registerWorker(BUILD))
        .catch(() => {});
    }, 3000);
  }
  // The benchmark's and the tests' mark: the page answers a person's input.
  performance.mark('app-ready');
}

start();
