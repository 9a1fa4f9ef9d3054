// IndexedDB with encryption at rest: everything personal is sealed with AES-GCM under a
// non-extractable WebCrypto key that lives in the same database (it can be used here but never
// read out), with a fresh 96-bit IV per write. Photos are stored as Blobs of ciphertext, never
// base64. Stores: `keys` (the CryptoKey), `drafts` (sealed JSON), `photos` (sealed Blob + plain
// metadata without personal data), `outbox` (sealed queued submissions).

const NAME = 'onething';
const STORES = ['keys', 'drafts', 'photos', 'outbox'];
let opening;
let sealing;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      if (!globalThis.indexedDB) throw new Error('unavailable');
      const r = indexedDB.open(NAME, 1);
      r.onupgradeneeded = () => {
        for (const s of STORES) if (!r.result.objectStoreNames.contains(s)) r.result.createObjectStore(s);
      };
      r.onsuccess = () => {
        // Another tab upgrading or deleting the database: let it, and reopen next time.
        r.result.onversionchange = () => {
          r.result.close();
          opening = undefined;
        };
        resolve(r.result);
      };
      r.onerror = () => reject(r.error);
      r.onblocked = () => reject(new Error('blocked'));
    }).catch((e) => {
      opening = undefined;
      throw e;
    });
  }
  return opening;
}

async function run(store, mode, op) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const r = op(tx.objectStore(store));
    tx.oncomplete = () => resolve(r ? r.result : undefined);
    tx.onabort = tx.onerror = () => reject(tx.error || new Error('aborted'));
    // Commit now rather than when this task ends: a webview closed by a back gesture right after
    // a keystroke then still finds the write on disk (older engines commit on their own).
    if (mode === 'readwrite' && typeof tx.commit === 'function') tx.commit();
  });
}

function key() {
  if (!sealing) {
    sealing = (async () => {
      const found = await run('keys', 'readonly', (s) => s.get('seal'));
      if (found) return found;
      const fresh = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
      try {
        await run('keys', 'readwrite', (s) => s.add(fresh, 'seal'));
        return fresh;
      } catch (_) {
        // Another tab made it first: use that one.
        return run('keys', 'readonly', (s) => s.get('seal'));
      }
    })().catch((e) => {
      sealing = undefined;
      throw e;
    });
  }
  return sealing;
}

async function seal(bytes) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await key(), bytes);
  return { iv, data };
}

async function unseal(record) {
  return crypto.subtle.decrypt({ name: 'AES-GCM', iv: record.iv }, await key(), record.data);
}

// Whether sealed storage works here (IndexedDB and WebCrypto both present and usable).
export async function storageWorks() {
  try {
    await key();
    return true;
  } catch (_) {
    return false;
  }
}

// Why a write failed, as a stable word: `quota` or `unavailable`.
export function failureKind(err) {
  return err && err.name === 'QuotaExceededError' ? 'quota' : 'unavailable';
}

export async function putText(store, id, text) {
  const sealed = await seal(new TextEncoder().encode(text));
  await run(store, 'readwrite', (s) => s.put(sealed, id));
}

export async function getText(store, id) {
  const record = await run(store, 'readonly', (s) => s.get(id));
  if (!record) return undefined;
  return new TextDecoder().decode(await unseal(record));
}

export async function remove(store, id) {
  await run(store, 'readwrite', (s) => s.delete(id));
}

// Keys of a store starting with `prefix`.
export async function keysWith(store, prefix) {
  const all = await run(store, 'readonly', (s) => s.getAllKeys());
  return all.filter((k) => typeof k === 'string' && k.startsWith(prefix));
}

// A photo: its bytes sealed into a Blob, its metadata (no personal data) as JSON text.
export async function putPhoto(id, blob, meta) {
  const sealed = await seal(await blob.arrayBuffer());
  const record = { iv: sealed.iv, data: new Blob([sealed.data]), type: blob.type, meta };
  await run('photos', 'readwrite', (s) => s.put(record, id));
}

// Updates a stored photo's metadata only.
export async function putPhotoMeta(id, meta) {
  const db = await open();
  await new Promise((resolve, reject) => {
    const tx = db.transaction('photos', 'readwrite');
    const s = tx.objectStore('photos');
    const r = s.get(id);
    r.onsuccess = () => {
      if (r.result) s.put({ ...r.result, meta }, id);
    };
    tx.oncomplete = resolve;
    tx.onabort = tx.onerror = () => reject(tx.error || new Error('aborted'));
  });
}

// {blob, meta} of a stored photo, the Blob rebuilt in memory from the decrypted bytes (which
// also re-wraps it: iOS otherwise hands back size-0 Files after a restart).
export async function getPhoto(id) {
  const record = await run('photos', 'readonly', (s) => s.get(id));
  if (!record) return undefined;
  const bytes = await unseal({ iv: record.iv, data: await record.data.arrayBuffer() });
  return { blob: new Blob([bytes], { type: record.type }), meta: record.meta };
}

// Forgets everything: drafts, photos, queued submissions and the key (sign-out).
export async function clearAll() {
  const db = await open();
  db.close();
  opening = undefined;
  sealing = undefined;
  await new Promise((resolve, reject) => {
    const r = indexedDB.deleteDatabase(NAME);
    r.onsuccess = resolve;
    r.onerror = () => reject(r.error);
    r.onblocked = resolve;
  });
}
