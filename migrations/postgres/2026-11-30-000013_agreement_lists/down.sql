ALTER TABLE agreements DROP COLUMN lists;
