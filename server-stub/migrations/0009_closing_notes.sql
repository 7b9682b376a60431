-- Who ended a chat (an agent, or NULL for its visitor), and the agent's closing note: the
-- organisation's record, never shown to the visitor.
ALTER TABLE conversations ADD COLUMN ended_by INTEGER REFERENCES agents(id);
ALTER TABLE conversations ADD COLUMN closing_note TEXT;
