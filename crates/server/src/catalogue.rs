//! The service catalogue: every definition in the services directory, loaded and checked at
//! start. A broken file stops the server with the file, the path inside it and the problem.

use std::path::Path;

use onething_core::{DefinitionError, ServiceDefinition};

/// All loaded definitions, sorted by id.
#[derive(Debug, Default)]
pub struct Catalogue {
    services: Vec<ServiceDefinition>,
}

impl Catalogue {
    /// Loads every `*.toml` in `dir`.
    ///
    /// # Errors
    /// The first definition that cannot be read or is invalid, or a duplicate service id.
    pub fn load(dir: &Path) -> Result<Self, DefinitionError> {
        let io_err = |file: &Path, e: std::io::Error| DefinitionError {
            file: file.display().to_string(),
            path: String::new(),
            message: e.to_string(),
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| io_err(dir, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let mut services: Vec<ServiceDefinition> = Vec::with_capacity(paths.len());
        for path in paths {
            let source = std::fs::read_to_string(&path).map_err(|e| io_err(&path, e))?;
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let def = ServiceDefinition::from_toml(&name, &source)?;
            if services.iter().any(|s| s.id == def.id) {
                return Err(DefinitionError {
                    file: name,
                    path: "id".into(),
                    message: format!("service id `{}` is already used by another file", def.id),
                });
            }
            services.push(def);
        }
        services.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(Catalogue { services })
    }

    /// All definitions, sorted by id.
    pub fn all(&self) -> &[ServiceDefinition] {
        &self.services
    }

    /// The definition with this id.
    pub fn get(&self, id: &str) -> Option<&ServiceDefinition> {
        self.services.iter().find(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_definitions_load() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services");
        let c = Catalogue::load(&dir).expect("shipped definitions are valid");
        assert!(c.get("newborn").is_some());
    }

    #[test]
    fn a_broken_file_is_named_in_the_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("bad.toml"), "id = \"x\"\ntitle = 3\n").expect("write");
        let e = Catalogue::load(dir.path()).unwrap_err();
        assert_eq!(e.file, "bad.toml");
        assert!(e.message.contains("title"), "{e}");
    }
}
