// Builds a Blob from base64 without copying the picture's bytes through wasm memory.
// A module file, not inline: the crate's two modules (src/lite.rs) share snippet names.
export function b64_to_blob(data) {
  let type = "image/jpeg", b64 = data;
  const m = /^data:([^;,]*)(;base64)?,/.exec(data);
  if (m) { if (m[1]) type = m[1]; b64 = data.slice(m[0].length); }
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  // Without a prefix the type comes from the bytes' signature.
  if (!m && bytes[0] === 0x89 && bytes[1] === 0x50) type = "image/png";
  return new Blob([bytes], { type });
}
