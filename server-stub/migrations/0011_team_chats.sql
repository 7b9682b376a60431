-- Agents' own chats ('direct': two agents; 'group': any number, with a title) live beside live chats in
-- `conversations`, so their messages, seq, idempotency, history pages, typing and sync are the
-- same code as a live chat's. A team chat has no visitor: `visitor_id` becomes nullable, which
-- SQLite can only do by rebuilding the table (its documented 12-step procedure; the server
-- runs migrations with foreign keys off and checks them afterwards).

CREATE TABLE conversations_new (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL DEFAULT 'live' CHECK (kind IN ('live', 'direct', 'group')),
    visitor_id   INTEGER REFERENCES visitors(id),
    -- A group's name (NULL: unnamed; a direct chat is shown under the other agent's name).
    title        TEXT,
    status       TEXT    NOT NULL CHECK (status IN ('waiting', 'active', 'ended')),
    created_at   INTEGER NOT NULL,
    last_seq     INTEGER NOT NULL DEFAULT 0,
    accepted_by  INTEGER REFERENCES agents(id),
    ended_at     INTEGER,
    ticket_id    INTEGER REFERENCES tickets(id),
    ended_by     INTEGER REFERENCES agents(id),
    closing_note TEXT,
    section_id   INTEGER REFERENCES sections(id) ON DELETE SET NULL,
    abandoned_at INTEGER,
    CHECK ((kind = 'live') = (visitor_id IS NOT NULL))
);

INSERT INTO conversations_new (id, kind, visitor_id, title, status, created_at, last_seq,
    accepted_by, ended_at, ticket_id, ended_by, closing_note, section_id, abandoned_at)
SELECT id, 'live', visitor_id, NULL, status, created_at, last_seq, accepted_by, ended_at,
    ticket_id, ended_by, closing_note, section_id, abandoned_at
FROM conversations;

DROP TABLE conversations;
ALTER TABLE conversations_new RENAME TO conversations;

CREATE INDEX conversations_by_visitor ON conversations (visitor_id, id);
CREATE INDEX conversations_by_status ON conversations (status, id);
CREATE INDEX conversations_abandoned ON conversations (abandoned_at) WHERE abandoned_at IS NOT NULL;
