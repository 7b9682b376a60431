-- Sections (queues) and who answers them; where a request is routed; rejections, abandonment
-- and invitations into a live chat.

CREATE TABLE sections (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    anonymous_chat INTEGER NOT NULL CHECK (anonymous_chat IN (0, 1)),
    contact_chat   INTEGER NOT NULL CHECK (contact_chat IN (0, 1)),
    created_at     INTEGER NOT NULL
);

CREATE TABLE section_members (
    section_id INTEGER NOT NULL REFERENCES sections(id) ON DELETE CASCADE,
    agent_id   INTEGER NOT NULL REFERENCES agents(id),
    PRIMARY KEY (section_id, agent_id)
) WITHOUT ROWID;
CREATE INDEX section_members_by_agent ON section_members (agent_id, section_id);

-- The section a request was routed to when it was made (NULL: every section that takes this
-- kind of visitor, or every agent while there are no sections). ON DELETE SET NULL: deleting a
-- section widens its open requests rather than orphaning them.
ALTER TABLE conversations ADD COLUMN section_id INTEGER REFERENCES sections(id) ON DELETE SET NULL;
-- Set when a request waited past the site's abandon time: out of the queue, in the agents'
-- Abandoned list until someone takes it (accepting clears it) or it ends.
ALTER TABLE conversations ADD COLUMN abandoned_at INTEGER;
CREATE INDEX conversations_abandoned ON conversations (abandoned_at) WHERE abandoned_at IS NOT NULL;

ALTER TABLE companies ADD COLUMN section_id INTEGER REFERENCES sections(id) ON DELETE SET NULL;

-- An agent who rejected a request is not offered it again.
CREATE TABLE rejections (
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    agent_id        INTEGER NOT NULL REFERENCES agents(id),
    rejected_at     INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, agent_id)
) WITHOUT ROWID;

CREATE TABLE invitations (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id),
    inviter_id      INTEGER NOT NULL REFERENCES agents(id),
    -- Exactly one of these: a named agent, or any available agent of a section.
    invitee_id      INTEGER REFERENCES agents(id),
    section_id      INTEGER REFERENCES sections(id) ON DELETE CASCADE,
    transfer        INTEGER NOT NULL CHECK (transfer IN (0, 1)),
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'accepted', 'declined', 'cancelled')),
    created_at      INTEGER NOT NULL,
    answered_by     INTEGER REFERENCES agents(id),
    answered_at     INTEGER,
    CHECK ((invitee_id IS NULL) <> (section_id IS NULL))
);
-- One invitation pending per chat at a time.
CREATE UNIQUE INDEX invitations_one_pending ON invitations (conversation_id) WHERE state = 'pending';

-- An agent who leaves a chat (or hands it over) stays in its record (history search finds the
-- chat under their name); members are the rows without `left_at`.
ALTER TABLE participants ADD COLUMN left_at INTEGER;
