-- The nonce of an upload's stored file (AES-256-GCM under the upload's data key): its bytes are
-- written with that file's keystream as they arrive, so completion stores them by appending the
-- tag. NULL: an upload begun before, whose bytes arrive under the older stream key and are
-- sealed anew at completion.
ALTER TABLE uploads ADD COLUMN file_nonce BYTEA;
