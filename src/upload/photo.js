// Browser-side helpers of the photo pipeline. Photo bytes stay in JavaScript: Rust only holds
// Blob handles, sizes and hex digests, so wasm memory never grows with photos.

// The app's root: this module is served from `<root>/snippets/<crate>/src/upload/`, which
// holds under any sub-path the app is served from.
const root = new URL('../../../../', import.meta.url);

let worker;
let next = 0;
const waiting = new Map();

function failAll(reason) {
  for (const p of waiting.values()) p.reject(new Error(reason));
  waiting.clear();
  worker = null;
}

function photoWorker() {
  if (worker !== undefined) return worker;
  worker = null;
  if (typeof Worker !== 'function' || typeof OffscreenCanvas !== 'function') return worker;
  try {
    worker = new Worker(new URL('photo-worker.js', root), { type: 'module' });
    worker.onmessage = (e) => {
      const p = waiting.get(e.data.id);
      if (!p) return;
      waiting.delete(e.data.id);
      if (e.data.error) p.reject(new Error(e.data.error));
      else p.resolve(e.data.blob);
    };
    worker.onerror = () => failAll('worker');
  } catch (_) {
    worker = null;
  }
  return worker;
}

function inWorker(w, blob, longEdge, quality, turns) {
  return new Promise((resolve, reject) => {
    const id = ++next;
    waiting.set(id, { resolve, reject });
    w.postMessage({ id, blob, longEdge, quality, turns });
  });
}

// Source pixels drawn per slice on the main thread: about a tenth of a 12-megapixel photo, a
// few milliseconds of scaling on a low-end phone.
const SLICE_PIXELS = 1 << 20;

// Lets the page handle taps and draw a frame between slices. Not requestAnimationFrame: a page
// in the background gets no frames, and the photo must still be ready when the person returns.
function yieldToPage() {
  if (globalThis.scheduler && typeof scheduler.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function encodeCanvas(canvas, quality) {
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode'))), 'image/jpeg', quality));
}

// The main-thread version of photo-transform.js (webviews without OffscreenCanvas, or whose
// workers cannot draw): the same result, but the photo is scaled in horizontal strips of the
// source with a pause between them, so a 12-megapixel photo never freezes the page (one
// drawImage of it takes hundreds of milliseconds on an older phone, and taps wait for it).
async function onMainThread(blob, longEdge, quality, turns) {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  try {
    const scale = Math.min(1, longEdge / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    const q = ((turns % 4) + 4) % 4;
    const canvas = document.createElement('canvas');
    canvas.width = q % 2 ? h : w;
    canvas.height = q % 2 ? w : h;
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingQuality = 'high';
    ctx.translate(canvas.width / 2, canvas.height / 2);
    ctx.rotate((q * Math.PI) / 2);
    // Whole rows of the result per strip, so strips meet on pixel edges and leave no seams.
    const rows = Math.max(1, Math.floor((SLICE_PIXELS / bitmap.width) * (h / bitmap.height)));
    const ratio = bitmap.height / h;
    for (let y = 0; y < h; y += rows) {
      const dh = Math.min(rows, h - y);
      ctx.drawImage(bitmap, 0, y * ratio, bitmap.width, dh * ratio, -w / 2, -h / 2 + y, w, dh);
      // A one-pixel read makes the browser draw the strip now rather than all strips at once
      // when the canvas is encoded.
      ctx.getImageData(0, 0, 1, 1);
      await yieldToPage();
    }
    const out = await encodeCanvas(canvas, quality);
    if (q === 0 && scale === 1 && blob.type === 'image/jpeg' && out.size >= blob.size) return blob;
    return out;
  } finally {
    bitmap.close();
  }
}

// Compresses (and rotates) an image; other types (PDF) come back untouched.
export async function compressPhoto(blob, longEdge, quality, turns) {
  // A fresh in-memory copy of anything else: iOS hands back Files that read as empty once the
  // picker is gone.
  if (!blob.type.startsWith('image/')) return new Blob([await blob.arrayBuffer()], { type: blob.type });
  const w = photoWorker();
  if (w) {
    try {
      return await inWorker(w, blob, longEdge, quality, turns);
    } catch (_) {
      // A worker that cannot draw (no 2D context in workers): do it here instead.
    }
  }
  return onMainThread(blob, longEdge, quality, turns);
}

// SHA-256 of the blob's bytes as hex: the upload's fingerprint for resuming after a reload.
// Never the file name: names like 张三身份证.jpg are personal data. Empty without SubtleCrypto
// (insecure origins), in which case uploads restart instead of resuming.
export async function fingerprint(blob) {
  if (!(globalThis.crypto && crypto.subtle)) return '';
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

// Resolves after `ms`, or earlier when the network comes back, the page returns to the
// foreground or the person asks to retry (the `onething-wake` event): a backoff never makes
// someone wait once waiting is pointless.
export function sleepOrWake(ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      window.removeEventListener('online', done);
      window.removeEventListener('onething-wake', done);
      document.removeEventListener('visibilitychange', visible);
      resolve();
    };
    const visible = () => {
      if (document.visibilityState === 'visible') done();
    };
    const timer = setTimeout(done, ms);
    window.addEventListener('online', done);
    window.addEventListener('onething-wake', done);
    document.addEventListener('visibilitychange', visible);
  });
}

// Wakes every waiting upload.
export function wakeUploads() {
  window.dispatchEvent(new Event('onething-wake'));
}
