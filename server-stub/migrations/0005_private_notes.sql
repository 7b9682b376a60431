-- Private notes: what agents of a conversation say among themselves inside it. A table of its
-- own, never joined by anything that serves visitors (history, transcripts, webhooks), and no
-- `seq` of the conversation's, so a visitor sees no gap where a note was written.
CREATE TABLE private_notes (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    -- The conversation's last_seq when written: where it shows among the messages.
    after_seq       INTEGER NOT NULL,
    agent_id        INTEGER NOT NULL REFERENCES agents(id),
    body            TEXT    NOT NULL,
    client_id       TEXT    NOT NULL,
    sent_at         INTEGER NOT NULL,
    UNIQUE (agent_id, client_id)
);
CREATE INDEX private_notes_by_conversation ON private_notes (conversation_id, id);
