-- Canned replies: shared (owner NULL, admins edit them) or one agent's own.
CREATE TABLE canned_replies (
    id         INTEGER PRIMARY KEY,
    owner_id   INTEGER REFERENCES agents(id),
    shortcut   TEXT,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('reply', 'greeting', 'farewell')),
    auto       INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);
CREATE INDEX canned_by_owner ON canned_replies (owner_id);
