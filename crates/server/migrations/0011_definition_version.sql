-- The version of the service definition a case was submitted under (`version` in
-- services/*.toml, or the digest the server derived for a file that declares none). Cases from
-- before this column have none and are shown under the current definition.
ALTER TABLE applications ADD COLUMN definition_version TEXT;
