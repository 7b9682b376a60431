-- Initial schema. Tokens are stored only as SHA-256 hashes; passwords only as argon2id PHC strings.

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    section       TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE visitors (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash BLOB    PRIMARY KEY,
    role       TEXT    NOT NULL CHECK (role IN ('visitor', 'agent')),
    subject_id INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE conversations (
    id          INTEGER PRIMARY KEY,
    visitor_id  INTEGER NOT NULL REFERENCES visitors(id),
    status      TEXT    NOT NULL CHECK (status IN ('waiting', 'active', 'ended')),
    created_at  INTEGER NOT NULL,
    -- Highest seq handed out; bumped in the same transaction as each message insert.
    last_seq    INTEGER NOT NULL DEFAULT 0,
    accepted_by INTEGER REFERENCES agents(id),
    ended_at    INTEGER
);
CREATE INDEX conversations_by_visitor ON conversations (visitor_id, id);
CREATE INDEX conversations_by_status ON conversations (status, id);

CREATE TABLE participants (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    agent_id        INTEGER NOT NULL REFERENCES agents(id),
    joined_at       INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, agent_id)
) WITHOUT ROWID;
CREATE INDEX participants_by_agent ON participants (agent_id, conversation_id);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    seq             INTEGER NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('text', 'system')),
    -- NULL for system messages (NULLs never collide in the UNIQUE below).
    author_role     TEXT,
    author_id       INTEGER,
    body            TEXT    NOT NULL,
    client_id       TEXT,
    sent_at         INTEGER NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (author_role, author_id, client_id)
);
