// The one place a photo is decoded, resized, rotated and re-encoded. Used inside the photo
// worker (OffscreenCanvas) and, where workers cannot draw, on the main thread (canvas).
// Decoding respects the EXIF orientation; re-encoding drops every other piece of metadata
// (GPS position, camera serial) before anything leaves the phone.

function canvasOf(width, height) {
  if (typeof OffscreenCanvas === 'function') return new OffscreenCanvas(width, height);
  const c = document.createElement('canvas');
  c.width = width;
  c.height = height;
  return c;
}

function encode(canvas, quality) {
  if (canvas.convertToBlob) return canvas.convertToBlob({ type: 'image/jpeg', quality });
  return new Promise((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode'))), 'image/jpeg', quality));
}

// blob: the photo; longEdge: the longest side of the result in pixels; quality: JPEG 0..1;
// turns: quarter turns clockwise. Resolves to a JPEG Blob, or the original when re-encoding
// would make it larger without making it smaller in pixels.
export async function transform(blob, longEdge, quality, turns) {
  const bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image' });
  try {
    const scale = Math.min(1, longEdge / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    const q = ((turns % 4) + 4) % 4;
    const canvas = q % 2 ? canvasOf(h, w) : canvasOf(w, h);
    const ctx = canvas.getContext('2d');
    ctx.imageSmoothingQuality = 'high';
    ctx.translate(canvas.width / 2, canvas.height / 2);
    ctx.rotate((q * Math.PI) / 2);
    ctx.drawImage(bitmap, -w / 2, -h / 2, w, h);
    const out = await encode(canvas, quality);
    if (q === 0 && scale === 1 && blob.type === 'image/jpeg' && out.size >= blob.size) return blob;
    return out;
  } finally {
    bitmap.close();
  }
}
