-- Choices an agent offers with a message (a JSON array of strings; NULL for none).
ALTER TABLE messages ADD COLUMN options TEXT;
