//! Personal data at rest: envelope encryption. Every record that holds personal data (an
//! account, a draft, an application's body, a consent request, a supplement's answer, an
//! upload with its file) gets its own random 256-bit data key; its personal columns and files
//! are sealed with AES-256-GCM under that key, and the data key is stored beside them wrapped
//! (AES-256-GCM again) by a master key, with the master key's id. Rotating the master key
//! re-wraps the data keys (60 bytes a record) and never touches the data itself.
//!
//! The master keys come from a key file (`--master-key-file`) or `ONETHING_MASTER_KEY`: one
//! key a line (base64 of 32 bytes, `#` comments), the first one the active key, the others
//! older keys kept only to open records not yet re-wrapped. Without either, a development key
//! file is made in the data directory on first start (and said so in the log).
//!
//! A key's id is derived from the key itself (a truncated SHA-256), so a wrong key is known at
//! start, before anything is read or written, by the ids the stored records name.
//!
//! ## Blind index
//! A sealed value cannot be searched. Where one must be found by its value (an account by its
//! ID number, when a consent request names the other parent) or a record bound to it (the
//! citizen of an assisted case, whom the confirmation and the applicant must match), the record
//! also keeps a blind index ([`Keys::blind_index`]): the HMAC-SHA256 of the normalised value
//! under an index key derived from a master key (the same for every record, unlike a data key),
//! with the id of that master key. Without the master key nobody can test a guessed ID number
//! against it (a bare hash of one can be searched: the numbers are few). A search computes the
//! index under every loaded key ([`Keys::blind_indexes`]), so during a rotation both the old and
//! the new form match; the rotation then recomputes every index under the new key from the
//! sealed value (`store::keys::reindex`), before the old key leaves the key file, and every
//! start recomputes those not under the active key (after a restart with a new key first in
//! `ONETHING_MASTER_KEY`, or for records from before the index). A leaked master key thus
//! stops being useful for the index too once it is rotated away.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use aes::cipher::{BlockEncrypt, generic_array::GenericArray};
use aes_gcm::aead::{Aead, AeadInPlace, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ctr::cipher::{InnerIvInit, KeyIvInit, StreamCipher, StreamCipherSeek};
use ghash::GHash;
use ghash::universal_hash::UniversalHash as _;
use sha2::{Digest, Sha256};

use crate::clock::{hex, random_bytes};

/// Length of every key, master or data (AES-256).
pub const KEY_LEN: usize = 32;
/// The length of an AES-GCM nonce, before the ciphertext.
pub const NONCE_LEN: usize = 12;
/// The length of an AES-GCM tag, after the ciphertext.
pub const TAG_LEN: usize = 16;
/// The environment variable that may hold the master keys instead of a file.
pub const KEY_ENV: &str = "ONETHING_MASTER_KEY";
/// The development key file's name in the data directory.
pub const DEV_KEY_FILE: &str = "master.key";
/// What a completed upload's sealed file is authenticated with.
pub const FILE_LABEL: &str = "uploads.file";

/// A sealed value or wrapped key that does not open: wrong key, or altered bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CryptoError(pub String);

impl std::fmt::Display for CryptoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CryptoError {}

/// Where the master keys came from, which decides whether the server may write a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `--master-key-file`.
    File(PathBuf),
    /// `ONETHING_MASTER_KEY`: read only.
    Environment,
    /// The development default, `<data dir>/master.key`.
    DevelopmentFile(PathBuf),
}

struct MasterKey {
    id: String,
    raw: [u8; KEY_LEN],
    cipher: Aes256Gcm,
    /// The blind index's key, derived from this master key (never used to seal anything).
    index: [u8; KEY_LEN],
}

impl MasterKey {
    fn new(raw: [u8; KEY_LEN]) -> Self {
        MasterKey {
            id: key_id(&raw),
            cipher: Aes256Gcm::new(&raw.into()),
            index: Sha256::new()
                .chain_update(b"onething blind index\0")
                .chain_update(raw)
                .finalize()
                .into(),
            raw,
        }
    }

    fn blind_index(&self, label: &str, value: &str) -> String {
        hmac_hex(&self.index, label, value.as_bytes())
    }
}

/// HMAC-SHA256 of `label`, a zero byte and `data` under `key`, hex.
fn hmac_hex(key: &[u8], label: &str, data: &[u8]) -> String {
    use hmac::Mac as _;
    #[allow(clippy::expect_used)]
    let mut m = <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(key)
        .expect("HMAC takes a key of any length");
    m.update(label.as_bytes());
    m.update(&[0]);
    m.update(data);
    hex(&m.finalize().into_bytes())
}

/// The id of a master key: 16 hex digits of a hash of it (it names the key, it reveals nothing
/// useful about it).
pub fn key_id(raw: &[u8; KEY_LEN]) -> String {
    let digest = Sha256::new()
        .chain_update(b"onething master key id\0")
        .chain_update(raw)
        .finalize();
    hex(&digest[..8])
}

/// The master keys in use: shared by every handler, swapped by a rotation.
#[derive(Clone)]
pub struct Keys {
    ring: Arc<RwLock<Vec<Arc<MasterKey>>>>,
    source: Arc<KeySource>,
    /// One rotation at a time.
    rotating: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("ids", &self.ids())
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

/// Reads a key list: one base64 key a line (or separated by commas), `#` comments.
///
/// # Errors
/// A line is not the base64 of 32 bytes, or there is no key at all.
pub fn parse_keys(text: &str) -> Result<Vec<[u8; KEY_LEN]>, String> {
    let mut out = Vec::new();
    for (n, item) in text
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default())
        .flat_map(|l| l.split(','))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let bytes = STANDARD
            .decode(item)
            .map_err(|_| format!("key {} is not base64", n + 1))?;
        let raw: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|_| format!("key {} is not {KEY_LEN} bytes", n + 1))?;
        out.push(raw);
    }
    if out.is_empty() {
        return Err("no key in it".into());
    }
    Ok(out)
}

fn format_keys(keys: &[[u8; KEY_LEN]]) -> String {
    let mut s = String::from(
        "# OneThing master keys (AES-256, base64). The first one seals new records; the others\n\
         # only open records not yet re-wrapped. Keep this file secret and backed up: without\n\
         # it the personal data in the database cannot be read.\n",
    );
    for k in keys {
        s.push_str(&STANDARD.encode(k));
        s.push('\n');
    }
    s
}

/// Writes a key file atomically (temporary file, fsync, rename), readable by its owner only.
fn write_key_file(path: &Path, keys: &[[u8; KEY_LEN]]) -> std::io::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&tmp)?;
    f.write_all(format_keys(keys).as_bytes())?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

impl Keys {
    /// Keys from a list, the first one active.
    pub fn from_raw(keys: &[[u8; KEY_LEN]], source: KeySource) -> Self {
        Keys {
            ring: Arc::new(RwLock::new(
                keys.iter().map(|k| Arc::new(MasterKey::new(*k))).collect(),
            )),
            source: Arc::new(source),
            rotating: Arc::default(),
        }
    }

    /// Loads the master keys as configured: `file`, else the environment's `env` value, else
    /// the development key file in `data_dir`, made when missing unless `stored_ids` (the key
    /// ids the stored records name) says data was sealed before: then a key was lost or not
    /// given, and making a new one would only hide it.
    ///
    /// # Errors
    /// The key file cannot be read or written, or holds no valid key; the development key file
    /// is missing while sealed data exists.
    pub fn load(
        file: Option<&Path>,
        env: Option<&str>,
        data_dir: &Path,
        stored_ids: &[String],
    ) -> Result<Self, String> {
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the master key file {}: {e}", path.display()))?;
            let keys = parse_keys(&text)
                .map_err(|e| format!("the master key file {}: {e}", path.display()))?;
            return Ok(Keys::from_raw(&keys, KeySource::File(path.to_owned())));
        }
        if let Some(text) = env.filter(|t| !t.trim().is_empty()) {
            let keys = parse_keys(text).map_err(|e| format!("{KEY_ENV}: {e}"))?;
            return Ok(Keys::from_raw(&keys, KeySource::Environment));
        }
        let path = data_dir.join(DEV_KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let keys = parse_keys(&text)
                    .map_err(|e| format!("the master key file {}: {e}", path.display()))?;
                tracing::warn!(
                    file = %path.display(),
                    "DEVELOPMENT master key in the data directory: in production give --master-key-file (kept apart from the data) or {KEY_ENV}"
                );
                Ok(Keys::from_raw(&keys, KeySource::DevelopmentFile(path)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !stored_ids.is_empty() {
                    return Err(format!(
                        "the database holds personal data sealed under master key {} but no key was given (--master-key-file or {KEY_ENV}) and {} is missing: start with the key it was sealed with; nothing was changed",
                        stored_ids.join(", "),
                        path.display()
                    ));
                }
                let raw = random_bytes::<KEY_LEN>();
                write_key_file(&path, &[raw])
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                tracing::warn!(
                    file = %path.display(),
                    id = key_id(&raw),
                    "DEVELOPMENT master key generated in the data directory: in production give --master-key-file (kept apart from the data) or {KEY_ENV}"
                );
                Ok(Keys::from_raw(&[raw], KeySource::DevelopmentFile(path)))
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Refuses keys that cannot open what is stored: every id the records name must be one of
    /// ours.
    ///
    /// # Errors
    /// A clear message naming the ids stored and the ids given.
    pub fn check_covers(&self, stored_ids: &[String]) -> Result<(), String> {
        let ours = self.ids();
        let missing: Vec<&String> = stored_ids.iter().filter(|i| !ours.contains(i)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        Err(format!(
            "wrong master key: the database holds personal data sealed under master key {} but the key given is {} ({}); start with the right key; nothing was changed",
            missing
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            ours.join(", "),
            self.describe_source(),
        ))
    }

    fn describe_source(&self) -> String {
        match &*self.source {
            KeySource::File(p) => format!("from {}", p.display()),
            KeySource::Environment => format!("from {KEY_ENV}"),
            KeySource::DevelopmentFile(p) => format!("the development key {}", p.display()),
        }
    }

    /// The ids of the keys, the active one first.
    pub fn ids(&self) -> Vec<String> {
        self.read().iter().map(|k| k.id.clone()).collect()
    }

    /// The id of the active key.
    pub fn active_id(&self) -> String {
        self.active().id.clone()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<Arc<MasterKey>>> {
        // A panic while holding the lock cannot leave the list half-written (it is replaced
        // whole), so a poisoned lock is still good to read.
        self.ring
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn active(&self) -> Arc<MasterKey> {
        Arc::clone(&self.read()[0])
    }

    fn find(&self, id: &str) -> Option<Arc<MasterKey>> {
        self.read().iter().find(|k| k.id == id).cloned()
    }

    /// The blind index of `value` (already normalised by the caller) under the active master
    /// key: that key's id and the index, hex. `label` names what is indexed
    /// (`accounts.id_number`), so two columns never share an index.
    pub fn blind_index(&self, label: &str, value: &str) -> (String, String) {
        let master = self.active();
        (master.id.clone(), master.blind_index(label, value))
    }

    /// The blind index of `value` under every loaded master key, the active one first: what a
    /// search looks for (a record indexed before a rotation finished still matches).
    pub fn blind_indexes(&self, label: &str, value: &str) -> Vec<String> {
        self.read()
            .iter()
            .map(|k| k.blind_index(label, value))
            .collect()
    }

    /// A fresh data key for a new record (or a record written anew), wrapped by the active
    /// master key.
    pub fn fresh(&self) -> RecordKey {
        let master = self.active();
        let dek = random_bytes::<KEY_LEN>();
        let wrapped = wrap(&master, &dek);
        RecordKey::new(dek, master.id.clone(), wrapped)
    }

    /// The data key of a stored record, unwrapped.
    ///
    /// # Errors
    /// The master key `key_id` is not ours, or the wrapped key does not open under it.
    pub fn open(&self, key_id: &str, wrapped: &[u8]) -> Result<RecordKey, CryptoError> {
        let master = self
            .find(key_id)
            .ok_or_else(|| CryptoError(format!("master key {key_id} is not loaded")))?;
        let dek = unwrap(&master, wrapped)?;
        Ok(RecordKey::new(dek, key_id.to_owned(), wrapped.to_vec()))
    }

    /// The record's data key wrapped by the active master key instead: `None` when it already
    /// is.
    ///
    /// # Errors
    /// As [`Keys::open`].
    pub fn rewrap(&self, key_id: &str, wrapped: &[u8]) -> Result<Option<Vec<u8>>, CryptoError> {
        let active = self.active();
        if active.id == key_id {
            return Ok(None);
        }
        let master = self
            .find(key_id)
            .ok_or_else(|| CryptoError(format!("master key {key_id} is not loaded")))?;
        let dek = unwrap(&master, wrapped)?;
        Ok(Some(wrap(&active, &dek)))
    }

    /// Whether rotation can make a new key (it can write the key file).
    pub fn can_generate(&self) -> bool {
        !matches!(&*self.source, KeySource::Environment)
    }

    /// Holds the rotation lock: one rotation at a time.
    pub async fn lock_rotation(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.rotating.lock().await
    }

    /// Makes a new active key: written first to the key file (before the old ones, which stay
    /// to open records not yet re-wrapped), then used for every new record. Returns its id.
    ///
    /// # Errors
    /// The keys come from the environment (nowhere to write), or the file cannot be written.
    pub fn generate(&self) -> Result<String, String> {
        let path = match &*self.source {
            KeySource::File(p) | KeySource::DevelopmentFile(p) => p.clone(),
            KeySource::Environment => {
                return Err(format!("the keys come from {KEY_ENV}: nowhere to write"));
            }
        };
        let raw = random_bytes::<KEY_LEN>();
        let mut all = vec![raw];
        all.extend(self.read().iter().map(|k| k.raw));
        write_key_file(&path, &all).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let key = Arc::new(MasterKey::new(raw));
        let id = key.id.clone();
        let mut ring = self
            .ring
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ring.insert(0, key);
        Ok(id)
    }

    /// Drops the older keys from the key file once no record needs them. They stay loaded in
    /// this process (a request that read a record just before it was re-wrapped may still open
    /// it); the next start does without them. Returns the ids retired.
    ///
    /// # Errors
    /// The key file cannot be written.
    pub fn retire_old(&self) -> Result<Vec<String>, String> {
        let path = match &*self.source {
            KeySource::File(p) | KeySource::DevelopmentFile(p) => p.clone(),
            KeySource::Environment => return Ok(Vec::new()),
        };
        let active = self.active();
        let old: Vec<String> = self.read().iter().skip(1).map(|k| k.id.clone()).collect();
        if old.is_empty() {
            return Ok(old);
        }
        write_key_file(&path, &[active.raw])
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(old)
    }
}

fn wrap(master: &MasterKey, dek: &[u8; KEY_LEN]) -> Vec<u8> {
    seal_with(&master.cipher, master.id.as_bytes(), dek)
}

fn unwrap(master: &MasterKey, wrapped: &[u8]) -> Result<[u8; KEY_LEN], CryptoError> {
    open_with(&master.cipher, master.id.as_bytes(), wrapped)?
        .try_into()
        .map_err(|_| CryptoError("a wrapped data key of the wrong length".into()))
}

/// `nonce ‖ ciphertext ‖ tag`, with a random 96-bit nonce (NIST SP 800-38D §8.2.2: random
/// nonces are safe far beyond the number of values one data key ever seals).
fn seal_with(cipher: &Aes256Gcm, aad: &[u8], plain: &[u8]) -> Vec<u8> {
    let nonce = random_bytes::<NONCE_LEN>();
    // Sealed in place in the buffer returned, so a large file is copied once, not three times.
    let mut out = Vec::with_capacity(NONCE_LEN + plain.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plain);
    #[allow(clippy::expect_used)]
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&nonce), aad, &mut out[NONCE_LEN..])
        // AES-GCM refuses only inputs above 64 GiB; ours are at most the upload limit.
        .expect("AES-GCM seals any input below 64 GiB");
    out.extend_from_slice(&tag);
    out
}

fn open_with(cipher: &Aes256Gcm, aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < NONCE_LEN + 16 {
        return Err(CryptoError("a sealed value too short to be one".into()));
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad })
        .map_err(|_| CryptoError("a sealed value does not open: wrong key or altered".into()))
}

/// One record's data key, with its wrapped form to store.
pub struct RecordKey {
    cipher: Aes256Gcm,
    /// The same data key as a block cipher: a stored file's GCM keystream and tag, computed
    /// piecewise while its bytes arrive (see [`RecordKey::apply_file_stream`]).
    block: aes::Aes256,
    stream: [u8; KEY_LEN],
    mac: [u8; KEY_LEN],
    /// The id of the master key that wraps it.
    pub key_id: String,
    /// The data key wrapped by that master key.
    pub wrapped: Vec<u8>,
}

impl std::fmt::Debug for RecordKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl RecordKey {
    fn new(dek: [u8; KEY_LEN], key_id: String, wrapped: Vec<u8>) -> Self {
        // The stream cipher of unfinished uploads gets its own key, derived from the data key,
        // so no keystream of it can meet one of GCM's under the same key.
        let stream: [u8; KEY_LEN] = Sha256::new()
            .chain_update(b"onething upload stream\0")
            .chain_update(dek)
            .finalize()
            .into();
        // Keyed digests get a key of their own too.
        let mac: [u8; KEY_LEN] = Sha256::new()
            .chain_update(b"onething record mac\0")
            .chain_update(dek)
            .finalize()
            .into();
        RecordKey {
            cipher: Aes256Gcm::new(&dek.into()),
            block: aes::Aes256::new(&dek.into()),
            stream,
            mac,
            key_id,
            wrapped,
        }
    }

    /// Seals `plain`; `label` (the table and column, e.g. `drafts.data`) is authenticated with
    /// it, so a value cannot be moved to another column of the record unnoticed.
    pub fn seal(&self, label: &str, plain: &[u8]) -> Vec<u8> {
        seal_with(&self.cipher, label.as_bytes(), plain)
    }

    /// Opens what [`RecordKey::seal`] sealed with the same label.
    ///
    /// # Errors
    /// Wrong key, wrong label or altered bytes.
    pub fn open(&self, label: &str, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        open_with(&self.cipher, label.as_bytes(), sealed)
    }

    /// Opens a sealed UTF-8 text.
    ///
    /// # Errors
    /// As [`RecordKey::open`], or the text is not UTF-8.
    pub fn open_text(&self, label: &str, sealed: &[u8]) -> Result<String, CryptoError> {
        String::from_utf8(self.open(label, sealed)?)
            .map_err(|_| CryptoError(format!("{label} is not UTF-8")))
    }

    /// A keyed digest of `data` (HMAC-SHA256 under a key derived from this data key, `label`
    /// authenticated with it), hex: a value compared for equality without being stored, which
    /// nobody without the master key can test guesses against (an ID number has few enough
    /// possible values that a bare hash of it can be searched).
    pub fn mac(&self, label: &str, data: &[u8]) -> String {
        hmac_hex(&self.mac, label, data)
    }

    /// Encrypts (or decrypts: the same) `buf`, the bytes at `offset` of an unfinished upload
    /// begun before [`RecordKey::apply_file_stream`] (its row has no file nonce), in place with
    /// AES-256-CTR under a key of its own: a tus upload is written and truncated at any offset,
    /// which a stream cipher allows. Such a file is sealed with GCM when complete.
    pub fn apply_stream(&self, offset: u64, buf: &mut [u8]) {
        let mut c = ctr::Ctr128BE::<aes::Aes256>::new(&self.stream.into(), &[0u8; 16].into());
        c.seek(offset);
        c.apply_keystream(buf);
    }

    /// AES-GCM's counter block `nonce ‖ counter` (NIST SP 800-38D §7.1: 1 masks the tag, the
    /// data starts at 2).
    fn gcm_counter(&self, nonce: &[u8; NONCE_LEN], first: u32) -> ctr::Ctr32BE<aes::Aes256> {
        let mut iv = [0u8; 16];
        iv[..NONCE_LEN].copy_from_slice(nonce);
        iv[NONCE_LEN..].copy_from_slice(&first.to_be_bytes());
        ctr::Ctr32BE::from_core(ctr::CtrCore::inner_iv_init(self.block.clone(), &iv.into()))
    }

    /// Encrypts (or decrypts: the same) `buf`, the bytes at `offset` of an upload's file, in
    /// place with the keystream AES-256-GCM uses for a file sealed under `nonce`: the bytes of
    /// an upload are written as they arrive exactly as its stored file will hold them, so the
    /// file is stored by appending its tag ([`RecordKey::file_tag`]) instead of writing it
    /// again. Every upload has its own data key and one nonce, and a tag is computed once, over
    /// the bytes as they are when the upload is complete.
    pub fn apply_file_stream(&self, nonce: &[u8; NONCE_LEN], offset: u64, buf: &mut [u8]) {
        let mut c = self.gcm_counter(nonce, 2);
        c.seek(offset);
        c.apply_keystream(buf);
    }

    /// The plain bytes of `encrypted`, an upload's bytes from offset 0 written with
    /// [`RecordKey::apply_file_stream`], in a new buffer (the encrypted bytes stay as they are,
    /// to be stored).
    ///
    /// # Panics
    /// Never: both buffers have the same length, and a file is far below GCM's 64 GiB.
    pub fn open_file_stream(&self, nonce: &[u8; NONCE_LEN], encrypted: &[u8]) -> Vec<u8> {
        let mut plain = vec![0u8; encrypted.len()];
        let mut c = self.gcm_counter(nonce, 2);
        #[allow(clippy::expect_used)]
        c.apply_keystream_b2b(encrypted, &mut plain)
            // Both buffers have the same length, and 2^32 blocks (64 GiB) are far above the
            // upload limit.
            .expect("a keystream for a buffer of the same length");
        plain
    }

    /// The AES-GCM tag of `encrypted` (written with [`RecordKey::apply_file_stream`] under
    /// `nonce`) with [`FILE_LABEL`] authenticated: `nonce ‖ encrypted ‖ tag` is then exactly
    /// what [`RecordKey::seal`] gives for the plain file under that nonce, and opens with
    /// [`RecordKey::open`].
    pub fn file_tag(&self, nonce: &[u8; NONCE_LEN], encrypted: &[u8]) -> [u8; TAG_LEN] {
        let mut h = GenericArray::default();
        self.block.encrypt_block(&mut h);
        let mut ghash = GHash::new(&h);
        let aad = FILE_LABEL.as_bytes();
        ghash.update_padded(aad);
        ghash.update_padded(encrypted);
        let bits = |n: usize| (n as u64).wrapping_mul(8).to_be_bytes();
        let mut lengths = ghash::Block::default();
        lengths[..8].copy_from_slice(&bits(aad.len()));
        lengths[8..].copy_from_slice(&bits(encrypted.len()));
        ghash.update(&[lengths]);
        let mut tag = ghash.finalize();
        self.gcm_counter(nonce, 1).apply_keystream(&mut tag);
        tag.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> (Keys, Vec<[u8; KEY_LEN]>) {
        let raw: Vec<[u8; KEY_LEN]> = (0..n).map(|_| random_bytes::<KEY_LEN>()).collect();
        (Keys::from_raw(&raw, KeySource::Environment), raw)
    }

    #[test]
    fn a_record_opens_with_its_key_and_label_only() {
        let (k, _) = keys(1);
        let rk = k.fresh();
        let sealed = rk.seal("accounts.phone", b"13800001111");
        assert!(!sealed.windows(11).any(|w| w == b"13800001111"));
        let again = k.open(&rk.key_id, &rk.wrapped).expect("unwrap");
        assert_eq!(
            again.open_text("accounts.phone", &sealed).expect("open"),
            "13800001111"
        );
        assert!(
            again.open("accounts.name", &sealed).is_err(),
            "other column"
        );
        let mut altered = sealed.clone();
        altered[20] ^= 1;
        assert!(again.open("accounts.phone", &altered).is_err(), "altered");
        let (other, _) = keys(1);
        assert!(other.open(&rk.key_id, &rk.wrapped).is_err(), "other master");
    }

    #[test]
    fn rewrapping_keeps_the_data_key() {
        let (old, raw_old) = keys(1);
        let rk = old.fresh();
        let sealed = rk.seal("drafts.data", b"{}");
        let new_raw = random_bytes::<KEY_LEN>();
        let both = Keys::from_raw(&[new_raw, raw_old[0]], KeySource::Environment);
        let wrapped = both
            .rewrap(&rk.key_id, &rk.wrapped)
            .expect("rewrap")
            .expect("changed");
        let only_new = Keys::from_raw(&[new_raw], KeySource::Environment);
        let reopened = only_new
            .open(&key_id(&new_raw), &wrapped)
            .expect("under the new key");
        assert_eq!(reopened.open("drafts.data", &sealed).expect("open"), b"{}");
        assert_eq!(both.rewrap(&key_id(&new_raw), &wrapped).expect("ok"), None);
    }

    #[test]
    fn a_blind_index_is_the_same_for_every_record_and_changes_with_the_master_key() {
        let (old, raw_old) = keys(1);
        let (id, a) = old.blind_index("accounts.id_number", "11010519491231002X");
        assert_eq!(id, old.active_id());
        assert_eq!(a.len(), 64);
        assert_eq!(
            old.blind_index("accounts.id_number", "11010519491231002X")
                .1,
            a
        );
        assert_ne!(
            old.blind_index("consents.holder", "11010519491231002X").1,
            a
        );
        assert_ne!(
            old.blind_index("accounts.id_number", "110105194912310029")
                .1,
            a
        );
        let plain = hex(&Sha256::digest(b"11010519491231002X"));
        assert_ne!(a, plain, "not a bare hash");
        let new_raw = random_bytes::<KEY_LEN>();
        let both = Keys::from_raw(&[new_raw, raw_old[0]], KeySource::Environment);
        let all = both.blind_indexes("accounts.id_number", "11010519491231002X");
        assert_eq!(all.len(), 2);
        assert_eq!(all[1], a, "the old form still matches during a rotation");
        assert_ne!(all[0], a);
        assert_eq!(
            both.blind_index("accounts.id_number", "11010519491231002X")
                .1,
            all[0]
        );
    }

    #[test]
    fn the_stream_cipher_works_at_any_offset() {
        let (k, _) = keys(1);
        let rk = k.fresh();
        let plain: Vec<u8> = (0..200u8).collect();
        let mut whole = plain.clone();
        rk.apply_stream(0, &mut whole);
        let mut tail = plain[77..].to_vec();
        rk.apply_stream(77, &mut tail);
        assert_eq!(&whole[77..], &tail[..]);
        rk.apply_stream(0, &mut whole);
        assert_eq!(whole, plain);
    }

    #[test]
    fn a_file_written_piecewise_with_the_gcm_keystream_is_the_file_sealed() {
        let (k, _) = keys(1);
        let rk = k.fresh();
        // Lengths around the block size and the counter's blocks, and an empty file.
        for len in [0usize, 1, 15, 16, 17, 1000, 70_001] {
            let plain: Vec<u8> = (0..len).map(|i| (i % 251).to_le_bytes()[0]).collect();
            let nonce = random_bytes::<NONCE_LEN>();
            // Written as a tus upload arrives: in stretches at their offsets.
            let mut encrypted = plain.clone();
            for (i, stretch) in encrypted.chunks_mut(333).enumerate() {
                rk.apply_file_stream(&nonce, (i * 333) as u64, stretch);
            }
            let mut stored = nonce.to_vec();
            stored.extend_from_slice(&encrypted);
            stored.extend_from_slice(&rk.file_tag(&nonce, &encrypted));
            // The same bytes as the file sealed by GCM itself under that nonce.
            let mut sealed = plain.clone();
            let tag = rk
                .cipher
                .encrypt_in_place_detached(
                    Nonce::from_slice(&nonce),
                    FILE_LABEL.as_bytes(),
                    &mut sealed,
                )
                .expect("seal");
            assert_eq!(&stored[NONCE_LEN..NONCE_LEN + len], &sealed[..], "{len}");
            assert_eq!(&stored[NONCE_LEN + len..], tag.as_slice(), "{len}");
            assert_eq!(rk.open(FILE_LABEL, &stored).expect("opens"), plain);
            assert_eq!(rk.open_file_stream(&nonce, &encrypted), plain);
            if len > 0 {
                let mut altered = stored.clone();
                altered[NONCE_LEN] ^= 1;
                assert!(rk.open(FILE_LABEL, &altered).is_err(), "altered {len}");
            }
            // Encrypted: a block or more of keystream is all zeros with a chance of 2^-128 (a
            // single byte is, 1 time in 256, so shorter files say nothing here).
            if len >= 16 {
                assert_ne!(encrypted, plain, "{len}");
            }
        }
    }

    #[test]
    fn key_lists_parse_and_the_wrong_key_is_named() {
        let a = [7u8; KEY_LEN];
        let text = format!("# comment\n{}\n\n", STANDARD.encode(a));
        assert_eq!(parse_keys(&text).expect("one"), vec![a]);
        assert!(parse_keys("# none\n").is_err());
        assert!(parse_keys("AAAA").is_err());
        let k = Keys::from_raw(&[a], KeySource::Environment);
        assert!(k.check_covers(&[key_id(&a)]).is_ok());
        let err = k
            .check_covers(&["0123456789abcdef".into()])
            .expect_err("wrong");
        assert!(err.contains("wrong master key") && err.contains("0123456789abcdef"));
    }

    #[test]
    fn the_development_key_is_made_once_and_never_over_sealed_data() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Keys::load(None, None, dir.path(), &["abc".into()]).expect_err("refused");
        assert!(err.contains("missing"), "{err}");
        let first = Keys::load(None, None, dir.path(), &[]).expect("made");
        let again = Keys::load(None, None, dir.path(), &[first.active_id()]).expect("read");
        assert_eq!(first.ids(), again.ids());
        let id = again.generate().expect("rotate");
        let after = Keys::load(None, None, dir.path(), &[]).expect("read");
        assert_eq!(after.ids(), vec![id.clone(), first.active_id()]);
        assert_eq!(after.retire_old().expect("retire"), vec![first.active_id()]);
        let last = Keys::load(None, None, dir.path(), &[]).expect("read");
        assert_eq!(last.ids(), vec![id]);
    }
}
