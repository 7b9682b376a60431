-- Sessions get a public id (so their holder can list and end them without the token's digest
-- ever leaving the server), a sliding expiry, and the device that signed in. SQLite cannot add
-- a primary key to a table, so the table is rebuilt.

CREATE TABLE sessions_v2 (
    id           INTEGER PRIMARY KEY,
    token_hash   BLOB    NOT NULL UNIQUE,
    role         TEXT    NOT NULL CHECK (role IN ('visitor', 'agent')),
    subject_id   INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    -- Refreshed when the session is used (at most about once a minute, see sessions.rs).
    last_used_at INTEGER NOT NULL,
    -- The session is refused from this time on, and deleted by the housekeeping task.
    expires_at   INTEGER NOT NULL,
    user_agent   TEXT    NOT NULL DEFAULT ''
);

-- Sessions from before expiry existed get a day from the upgrade; their next use sets the
-- expiry the server is configured with.
INSERT INTO sessions_v2 (token_hash, role, subject_id, created_at, last_used_at, expires_at)
SELECT token_hash, role, subject_id, created_at, created_at,
       CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 86400000
FROM sessions;

DROP TABLE sessions;
ALTER TABLE sessions_v2 RENAME TO sessions;
CREATE INDEX sessions_by_holder ON sessions (role, subject_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
