// Sideways phone photos for the upload tests, and reading back what the app sent. (The server
// stores an upload encrypted, after removing metadata other than the orientation:
// crates/server/src/media.rs; so what the app sends is what a department sees.)
//
// A phone held in portrait writes its sensor's landscape pixels and an EXIF orientation tag
// (6: turn 90° clockwise to show; 8: 90° anticlockwise). The test photo is drawn landscape in
// the browser with a red block in its top-left corner and a blue one in its top-right, and gets
// such a tag; shown upright (and not mirrored) it is portrait with the blocks where the tag says.
/** The landscape pixels: wider than the app's long edge (1600), so the app always re-encodes. */
export const RAW = { width: 2000, height: 1200 };

/**
 * Where the two blocks are, as quadrants of the upright photo, for each orientation tag:
 * red (the sensor's top-left) and blue (its top-right).
 */
export const UPRIGHT = {
  1: { red: 'top-left', blue: 'top-right', portrait: false },
  6: { red: 'top-right', blue: 'bottom-right', portrait: true },
  8: { red: 'bottom-left', blue: 'top-left', portrait: true },
};

/** An APP1 segment holding a big-endian EXIF block with only the orientation tag (0x0112). */
function exifApp1(orientation) {
  const tiff = Buffer.from([
    0x4d, 0x4d, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08, // "MM", 42, IFD0 at 8
    0x00, 0x01, // one entry
    0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00, // SHORT, 1
    0x00, 0x00, 0x00, 0x00, // no next IFD
  ]);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const len = Buffer.alloc(2);
  len.writeUInt16BE(payload.length + 2);
  return Buffer.concat([Buffer.from([0xff, 0xe1]), len, payload]);
}

/**
 * A camera-like JPEG with EXIF orientation `orientation`: drawn by the page's own canvas (any
 * engine), the tag inserted right after SOI, where cameras put it. `size`: its pixels, landscape
 * ({ width: 4000, height: 3000 } for a 12-megapixel camera).
 */
export async function sidewaysJpeg(page, orientation, size = RAW) {
  const b64 = await page.evaluate(({ width, height }) => {
    const c = document.createElement('canvas');
    c.width = width;
    c.height = height;
    const g = c.getContext('2d');
    g.fillStyle = '#c8c8c8';
    g.fillRect(0, 0, width, height);
    g.fillStyle = '#e01010';
    g.fillRect(0, 0, width * 0.3, height * 0.3);
    g.fillStyle = '#1030e0';
    g.fillRect(width * 0.7, 0, width * 0.3, height * 0.3);
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  }, size);
  const jpeg = Buffer.from(b64, 'base64');
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('the canvas did not make a JPEG');
  const buffer = Buffer.concat([jpeg.subarray(0, 2), exifApp1(orientation), jpeg.subarray(2)]);
  return { name: `IMG_000${orientation}.jpg`, mimeType: 'image/jpeg', buffer };
}

/** A JPEG's frame size and EXIF orientation (1 when it has none), read from its segments. */
export function jpegInfo(b) {
  if (b[0] !== 0xff || b[1] !== 0xd8) throw new Error('not a JPEG');
  let orientation = 1;
  let size = null;
  for (let at = 2; at + 4 <= b.length;) {
    if (b[at] !== 0xff) throw new Error(`no marker at ${at}`);
    const marker = b[at + 1];
    if (marker === 0xda || marker === 0xd9) break;
    const len = b.readUInt16BE(at + 2);
    const body = b.subarray(at + 4, at + 2 + len);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      size = { height: body.readUInt16BE(1), width: body.readUInt16BE(3) };
    }
    if (marker === 0xe1 && body.subarray(0, 6).toString('latin1') === 'Exif\0\0') {
      const tiff = body.subarray(6);
      const le = tiff.toString('latin1', 0, 2) === 'II';
      const u16 = (o) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
      const u32 = (o) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
      const ifd = u32(4);
      for (let i = 0; i < u16(ifd); i++) {
        const e = ifd + 2 + i * 12;
        if (u16(e) === 0x0112) orientation = u16(e + 8);
      }
    }
    at += 2 + len;
  }
  return { ...size, orientation };
}

/**
 * Starts keeping a copy of every Blob the page sends with XMLHttpRequest (the upload client's
 * tus requests), from now on; `sentSince` reads them back.
 */
export function watchUploads(page) {
  return page.evaluate(() => {
    window.onethingSent = [];
    if (window.onethingSendPatched) return;
    window.onethingSendPatched = true;
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (body) {
      if (body instanceof Blob) window.onethingSent.push(body);
      return send.call(this, body);
    };
  });
}

/**
 * The bytes the page has sent since `watchUploads` (the chunks of one upload, in order), read
 * with a FileReader: the page's CSP allows no fetch of its own blob: URLs.
 */
export async function sentSince(page) {
  const b64 = await page.evaluate(() => new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(',')[1] || '');
    r.onerror = () => reject(r.error);
    r.readAsDataURL(new Blob(window.onethingSent));
    window.onethingSent = [];
  }));
  return Buffer.from(b64, 'base64');
}

/**
 * Where the red and blue blocks are in `jpeg` as the page's engine shows it (decoded by the
 * page, so only meaningful for a JPEG without an orientation tag, which every engine draws
 * the same way): { red, blue } as quadrant names.
 */
export function blocksAsShown(page, jpeg) {
  return page.evaluate(async (b64) => {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const url = URL.createObjectURL(new Blob([bytes], { type: 'image/jpeg' }));
    const img = new Image();
    await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = () => reject(new Error('decode')); img.src = url; });
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    URL.revokeObjectURL(url);
    const out = {};
    for (const [name, x, y] of [['top-left', 0.1, 0.1], ['top-right', 0.9, 0.1], ['bottom-left', 0.1, 0.9], ['bottom-right', 0.9, 0.9]]) {
      const [r, , b] = g.getImageData(Math.floor(c.width * x), Math.floor(c.height * y), 1, 1).data;
      if (r > 160 && b < 100) out.red = name;
      if (b > 160 && r < 100) out.blue = name;
    }
    return out;
  }, jpeg.toString('base64'));
}
