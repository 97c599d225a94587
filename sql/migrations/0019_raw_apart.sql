-- 0019_raw_apart.sql: the bytes of a raw message kept apart from its
-- row.
--
-- A raw message's row is written three times: stored, claimed by a
-- filer (attempts, claimed_by) and marked done (state, outcome).  With
-- the default toast_tuple_target (about 2 KB) the compressed bytes of a
-- mail of a few kilobytes stayed in the row, and each of the two
-- updates copied them into a new row version and into the WAL.  Past
-- 256 bytes they now go to the TOAST table, compressed as before, once;
-- the updates copy a row of about 150 bytes.  Rows stored before keep
-- their layout until they are next written.
ALTER TABLE plaint.raw_messages SET (toast_tuple_target = 256);

INSERT INTO plaint.schema_migrations (version) VALUES (19);
