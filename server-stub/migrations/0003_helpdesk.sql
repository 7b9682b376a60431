-- The built-in helpdesk beside the chat: companies, their contacts (portal users), tickets and
-- their notes; chat permissions per company and contact (NULL: inherit), global settings, an
-- admin flag for agents, the ticket a conversation is about, and an audit log of admin writes.
-- External helpdesks sync these through the admin API by their own ids (`external_id`,
-- `number`), which is why those are the unique keys clients see.

CREATE TABLE companies (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    chat_enabled INTEGER CHECK (chat_enabled IN (0, 1)),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    external_id  TEXT    NOT NULL UNIQUE,
    company_id   INTEGER NOT NULL REFERENCES companies(id),
    name         TEXT    NOT NULL,
    email        TEXT    NOT NULL,
    chat_enabled INTEGER CHECK (chat_enabled IN (0, 1)),
    -- The visitor identity the contact chats as, on every device (created on first sign-in).
    visitor_id   INTEGER UNIQUE REFERENCES visitors(id),
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX contacts_by_company ON contacts (company_id, id);

CREATE TABLE tickets (
    id         INTEGER PRIMARY KEY,
    number     TEXT    NOT NULL UNIQUE,
    subject    TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    -- Tickets made from a chat: the conversation and the client's key, so a retried request
    -- finds the ticket it already made (NULLs never collide for tickets from elsewhere).
    created_from INTEGER REFERENCES conversations(id),
    client_key   TEXT,
    UNIQUE (created_from, client_key)
);
CREATE INDEX tickets_by_contact ON tickets (contact_id, id);

CREATE TABLE ticket_notes (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id),
    kind       TEXT    NOT NULL CHECK (kind IN ('note', 'transcript')),
    author     TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ticket_notes_by_ticket ON ticket_notes (ticket_id, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    -- 'agent:<id>' or 'api-key'
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    target TEXT    NOT NULL,
    detail TEXT    NOT NULL,
    at     INTEGER NOT NULL
);

-- Callback requests: a visitor nobody could answer asks to be called back.
CREATE TABLE callbacks (
    id              INTEGER PRIMARY KEY,
    visitor_id      INTEGER NOT NULL REFERENCES visitors(id),
    conversation_id INTEGER REFERENCES conversations(id),
    phone           TEXT    NOT NULL,
    preferred_time  TEXT    NOT NULL,
    note            TEXT    NOT NULL,
    requested_at    INTEGER NOT NULL,
    done_at         INTEGER,
    done_by         INTEGER REFERENCES agents(id)
);
CREATE INDEX callbacks_by_state ON callbacks (done_at, id);
CREATE INDEX callbacks_by_visitor ON callbacks (visitor_id, done_at);

-- Outgoing webhooks, as a durable outbox: a row is written in the same transaction as the
-- event it reports, and the delivery task works through the due ones.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    event           TEXT    NOT NULL,
    payload         TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    -- Set when the delivery gave up after its last attempt.
    failed_at       INTEGER,
    last_error      TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

ALTER TABLE agents ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN ticket_id INTEGER REFERENCES tickets(id);

-- On an existing installation the first agent (its owner) becomes its first admin.
UPDATE agents SET is_admin = 1 WHERE id = (SELECT MIN(id) FROM agents);
