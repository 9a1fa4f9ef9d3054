// config.json, requested as soon as possible: by the page itself (index.html's early script,
// `window.onethingConfig`), or else when the app's JavaScript is evaluated — in both cases while
// the wasm is still downloading, not after it has started. Both modules import this file, and a
// module is evaluated once per page, so it is fetched once.
const text = (window.onethingConfig ||
  fetch(new URL('config.json', document.baseURI), { cache: 'no-cache' }).then((r) => (r.ok ? r.text() : null)))
  .catch(() => null);

export function configText() {
  return text;
}
