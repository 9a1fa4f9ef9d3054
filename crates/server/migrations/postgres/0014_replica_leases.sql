-- PostgreSQL's schema step 0014, the twin of ../sqlite/0014_replica_leases.sql: BIGINT for INTEGER.

-- Several replicas on one database (PostgreSQL; the same columns on SQLite, where one process
-- serves the file). An in-flight idempotency key records the replica working on it
-- (`holder`, its instance id); every replica writes its heartbeat (`replicas.seen_at`, Unix
-- seconds of the wall clock) every few seconds. A key whose holder's heartbeat stopped is taken
-- over by a retry; one whose holder lives stays in flight, however recently a replica started.
ALTER TABLE idempotency_keys ADD COLUMN holder TEXT;

CREATE TABLE replicas (
    instance TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
