//! The service catalogue: every definition in the services directory, loaded and checked at
//! start. A broken file stops the server with the file, the path inside it and the problem.
//!
//! [`Catalogue::reload`] (on `SIGHUP` and `POST /api/admin/services/reload`) reads the directory
//! again and swaps the set in only when every file is valid; otherwise the old set stays and
//! every problem is reported. Every version ever loaded stays known for the life of the process
//! ([`Catalogue::get_version`]), so a case or a draft keeps the definition it was submitted or
//! started under. Loaded definitions live in an append-only arena (leaked on purpose: one copy
//! per distinct version, which makes the handed-out references `'static` and lock-free to use).

use std::path::{Path, PathBuf};
use std::sync::{OnceLock, RwLock};

use onething_core::api::{ErrorCode, FieldProblem};
use onething_core::engine::FieldError;
use onething_core::value::regions::RegionTable;
use onething_core::{Answers, DefinitionError, EngineError, ServiceDefinition};

/// A loaded definition; lives as long as the process.
pub type Definition = &'static ServiceDefinition;

/// The current definitions (sorted by id) and every version loaded since start.
#[derive(Debug)]
pub struct Catalogue {
    dir: PathBuf,
    current: RwLock<Vec<Definition>>,
    known: RwLock<Vec<Definition>>,
}

/// What a reload changed, by service id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReloadReport {
    /// New service ids.
    pub added: Vec<String>,
    /// Services whose version changed: id and the new version.
    pub changed: Vec<(String, String)>,
    /// Services no longer in the directory (their cases keep their version).
    pub removed: Vec<String>,
    /// How many services are loaded now.
    pub services: usize,
}

impl Catalogue {
    /// Loads every `*.toml` in `dir`.
    ///
    /// # Errors
    /// The first definition that cannot be read or is invalid, or a duplicate service id.
    pub fn load(dir: &Path) -> Result<Self, DefinitionError> {
        let defs = read_dir(dir).map_err(|mut errors| errors.remove(0))?;
        let defs: Vec<Definition> = defs.into_iter().map(leak).collect();
        Ok(Catalogue {
            dir: dir.to_owned(),
            known: RwLock::new(defs.clone()),
            current: RwLock::new(defs),
        })
    }

    /// All current definitions, sorted by id.
    pub fn all(&self) -> Vec<Definition> {
        read(&self.current).clone()
    }

    /// The current definition with this id.
    pub fn get(&self, id: &str) -> Option<Definition> {
        read(&self.current).iter().copied().find(|s| s.id == id)
    }

    /// The definition with this id at this version, current or loaded earlier in this process.
    pub fn get_version(&self, id: &str, version: &str) -> Option<Definition> {
        read(&self.known)
            .iter()
            .rev()
            .copied()
            .find(|s| s.id == id && s.version == version)
    }

    /// The definition a case or draft of `id` started under `version` works with: that version
    /// when it is known, else the current one (a case from before versions were recorded, or
    /// from before a restart that dropped an old version).
    pub fn for_case(&self, id: &str, version: Option<&str>) -> Option<Definition> {
        version
            .and_then(|v| self.get_version(id, v))
            .or_else(|| self.get(id))
    }

    /// Adds definitions kept with the cases (JSON, as served) to the known versions, unless a
    /// loaded one has the same id and version. One that no longer reads (the format changed
    /// since) is logged and skipped: its cases are then shown under the current version.
    pub fn remember(&self, stored: &[String]) {
        let mut known = write(&self.known);
        for json in stored {
            match serde_json::from_str::<ServiceDefinition>(json) {
                Ok(def) => {
                    if !known
                        .iter()
                        .any(|k| k.id == def.id && k.version == def.version)
                    {
                        known.push(leak(def));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "a stored definition version no longer reads"),
            }
        }
    }

    /// Reads the services directory again and, when every file is valid, makes it the current
    /// set. A definition whose content changed must carry a new version.
    ///
    /// # Errors
    /// Every problem found (the current set is kept).
    pub fn reload(&self) -> Result<ReloadReport, Vec<DefinitionError>> {
        let fresh = read_dir(&self.dir)?;
        let mut known = write(&self.known);
        let mut errors = Vec::new();
        for def in &fresh {
            if let Some(old) = known
                .iter()
                .find(|k| k.id == def.id && k.version == def.version)
                && **old != *def
            {
                errors.push(DefinitionError {
                    file: format!("{}.toml", def.id),
                    path: "version".into(),
                    message: format!(
                        "the definition of `{}` changed but its version `{}` did not: give it a new version",
                        def.id, def.version
                    ),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut current = write(&self.current);
        let mut report = ReloadReport::default();
        let mut next = Vec::with_capacity(fresh.len());
        for def in fresh {
            match current.iter().find(|c| c.id == def.id) {
                None => report.added.push(def.id.clone()),
                Some(c) if c.version != def.version => {
                    report.changed.push((def.id.clone(), def.version.clone()));
                }
                Some(_) => {}
            }
            let same = known
                .iter()
                .find(|k| k.id == def.id && k.version == def.version)
                .copied();
            let loaded = if let Some(k) = same {
                k
            } else {
                let k = leak(def);
                known.push(k);
                k
            };
            next.push(loaded);
        }
        report.removed = current
            .iter()
            .filter(|c| !next.iter().any(|n| n.id == c.id))
            .map(|c| c.id.clone())
            .collect();
        report.services = next.len();
        *current = next;
        Ok(report)
    }
}

impl From<ReloadReport> for onething_core::api::ServicesReloaded {
    fn from(r: ReloadReport) -> Self {
        onething_core::api::ServicesReloaded {
            services: r.services,
            added: r.added,
            changed: r
                .changed
                .into_iter()
                .map(|(id, version)| onething_core::api::ServiceVersion { id, version })
                .collect(),
            removed: r.removed,
        }
    }
}

/// Reloads and logs the outcome (one line per problem); what `SIGHUP` does.
///
/// # Errors
/// Every problem found (the current set is kept).
pub fn reload_and_log(catalogue: &Catalogue) -> Result<ReloadReport, Vec<DefinitionError>> {
    let result = catalogue.reload();
    match &result {
        Ok(r) => tracing::info!(
            services = r.services,
            added = ?r.added,
            changed = ?r.changed,
            removed = ?r.removed,
            "service definitions reloaded"
        ),
        Err(errors) => {
            for e in errors {
                tracing::error!(problem = %e, "service definitions not reloaded: the loaded ones stay");
            }
        }
    }
    result
}

/// The full GB/T 2260 region table (`public/regions.json`, embedded at build time; the SPA
/// fetches the same file when an address is on screen).
pub fn regions() -> &'static RegionTable {
    static TABLE: OnceLock<RegionTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        RegionTable::from_json(include_str!("../../../public/regions.json"))
            // A test reads the same file: a broken one fails the build's tests, never a request.
            .unwrap_or_default()
    })
}

/// Checks every address of a submission against the region table: a code the table lacks, or
/// one not under the code before it, is `validation_failed` with `address_region` at its path.
///
/// # Errors
/// `validation_failed`, one problem per address.
pub fn check_regions(def: &ServiceDefinition, answers: &Answers) -> crate::Result<()> {
    let table = regions();
    let problems: Vec<FieldProblem> = def
        .address_answers(answers)
        .into_iter()
        .filter(|(_, a)| table.check_path(&a.region).is_err())
        .map(|(path, _)| {
            let e = FieldError::new(EngineError::AddressRegion, path);
            FieldProblem {
                path: e.path,
                code: e.code,
            }
        })
        .collect();
    if problems.is_empty() {
        return Ok(());
    }
    Err(crate::ApiError::unprocessable(
        ErrorCode::ValidationFailed,
        "an address names a region the GB/T 2260 table does not have",
    )
    .with_problems(problems))
}

fn leak(def: ServiceDefinition) -> Definition {
    Box::leak(Box::new(def))
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    // The guarded values are replaced whole, never left half-written: a panic elsewhere
    // while holding the lock leaves them valid.
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Every definition in `dir`, checked, sorted by id; or every problem found.
fn read_dir(dir: &Path) -> Result<Vec<ServiceDefinition>, Vec<DefinitionError>> {
    let io_err = |file: &Path, e: std::io::Error| DefinitionError {
        file: file.display().to_string(),
        path: String::new(),
        message: e.to_string(),
    };
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| vec![io_err(dir, e)])?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut services: Vec<ServiceDefinition> = Vec::with_capacity(paths.len());
    let mut errors = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let def = std::fs::read_to_string(&path)
            .map_err(|e| io_err(&path, e))
            .and_then(|source| ServiceDefinition::from_toml(&name, &source));
        match def {
            Ok(def) if services.iter().any(|s| s.id == def.id) => errors.push(DefinitionError {
                file: name,
                path: "id".into(),
                message: format!("service id `{}` is already used by another file", def.id),
            }),
            Ok(def) => services.push(def),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    services.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(services)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services")
    }

    #[test]
    fn the_shipped_definitions_load_each_with_a_version() {
        let c = Catalogue::load(&shipped()).expect("shipped definitions are valid");
        assert!(c.get("newborn").is_some());
        assert!(c.all().iter().all(|d| !d.version.is_empty()));
    }

    #[test]
    fn the_embedded_region_table_is_the_full_one() {
        assert!(regions().len() > 3000, "{}", regions().len());
        assert!(regions().get("330502").is_some());
    }

    #[test]
    fn a_broken_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("bad.toml"), "id = \"x\"\ntitle = 3\n").expect("write");
        let e = Catalogue::load(dir.path()).unwrap_err();
        assert_eq!(e.file, "bad.toml");
        assert!(e.message.contains("title"), "{e}");
    }

    #[test]
    fn a_reload_keeps_old_versions_and_refuses_broken_sets() {
        let dir = tempfile::tempdir().expect("tempdir");
        let source = std::fs::read_to_string(shipped().join("shop-opening.toml")).expect("read");
        std::fs::write(dir.path().join("shop-opening.toml"), &source).expect("write");
        let c = Catalogue::load(dir.path()).expect("loads");
        let old = c.get("shop-opening").expect("loaded").version.clone();

        // A new version: the current one changes, the old one stays known.
        let next = source.replacen(&format!("version = \"{old}\""), "version = \"next\"", 1);
        assert_ne!(next, source, "the shipped file declares its version");
        std::fs::write(dir.path().join("shop-opening.toml"), &next).expect("write");
        let report = c.reload().expect("reloads");
        assert_eq!(
            report.changed,
            [("shop-opening".to_owned(), "next".to_owned())]
        );
        assert_eq!(c.get("shop-opening").expect("current").version, "next");
        assert!(c.get_version("shop-opening", &old).is_some());
        assert_eq!(
            c.for_case("shop-opening", Some(&old))
                .expect("known")
                .version,
            old
        );

        // An edit without a new version, and a broken file: refused, the set unchanged.
        let sneaky = next.replacen("开办小店一件事", "开办一件事", 1);
        std::fs::write(dir.path().join("shop-opening.toml"), &sneaky).expect("write");
        std::fs::write(dir.path().join("bad.toml"), "id = \"x\"\n").expect("write");
        let errors = c.reload().unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].file, "bad.toml");
        std::fs::remove_file(dir.path().join("bad.toml")).expect("remove");
        let errors = c.reload().unwrap_err();
        assert_eq!(errors[0].path, "version", "{errors:?}");
        assert_eq!(c.all().len(), 1);
        assert_eq!(c.get("shop-opening").expect("current").version, "next");
    }
}
