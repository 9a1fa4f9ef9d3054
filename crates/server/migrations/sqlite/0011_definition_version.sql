-- The version of the service definition a case was submitted under (`version` in
-- services/*.toml, or the digest the server derived for a file that declares none). Cases from
-- before this column have none and are shown under the current definition.
ALTER TABLE applications ADD COLUMN definition_version TEXT;

-- Every definition version a case was submitted under, as the JSON the server served, so a case
-- keeps its version after a restart even when the file on disk has changed since.
CREATE TABLE definition_versions (
    service_id TEXT NOT NULL,
    version TEXT NOT NULL,
    definition TEXT NOT NULL,
    first_used_at INTEGER NOT NULL,
    PRIMARY KEY (service_id, version)
);
