-- The section a visitor picked in the widget for their next request (ChatSettings'
-- section_choice); forgotten when that section is deleted.
ALTER TABLE visitors ADD COLUMN section_pick INTEGER REFERENCES sections(id) ON DELETE SET NULL;
