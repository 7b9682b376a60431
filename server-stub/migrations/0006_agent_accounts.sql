-- Admins deactivate agents rather than delete them: their messages keep their author.
ALTER TABLE agents ADD COLUMN deactivated_at INTEGER;
