// The photo worker: compression off the main thread, so the page stays responsive while a
// 12-megapixel photo is decoded and re-encoded. Messages: {id, blob, longEdge, quality, turns}
// in, {id, blob} or {id, error} out.
import { transform } from './photo-transform.js';

self.onmessage = async (event) => {
  const { id, blob, longEdge, quality, turns } = event.data;
  try {
    self.postMessage({ id, blob: await transform(blob, longEdge, quality, turns) });
  } catch (err) {
    self.postMessage({ id, error: String((err && err.name) || err) });
  }
};
