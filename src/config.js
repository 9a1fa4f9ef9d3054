// config.json, requested as soon as the app's JavaScript is evaluated — while the wasm is still
// downloading — instead of after it has started: one round trip less before the first page.
// Both modules import this file, and a module is evaluated once per page, so it is fetched once.
const text = fetch(new URL('config.json', document.baseURI), { cache: 'no-cache' })
  .then((r) => (r.ok ? r.text() : null))
  .catch(() => null);

export function configText() {
  return text;
}
