-- Pre-ticket chat per company: NULL inherits the site's setting (settings row 'chat').
ALTER TABLE companies ADD COLUMN pre_ticket INTEGER;
