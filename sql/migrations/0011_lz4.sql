-- 0011_lz4.sql: large values compressed with lz4 rather than pglz.
--
-- Raw mail and message text are stored compressed (TOAST) once they pass
-- about 2 KB; pglz made compressing them the largest cost of filing.
-- lz4 compresses mail nearly as well at a fraction of the CPU.  Values
-- stored before keep their compression until they are rewritten.

ALTER TABLE plaint.raw_messages ALTER COLUMN raw SET COMPRESSION lz4;
ALTER TABLE plaint.messages ALTER COLUMN body SET COMPRESSION lz4;
ALTER TABLE plaint.blobs ALTER COLUMN content SET COMPRESSION lz4;

INSERT INTO plaint.schema_migrations (version) VALUES (11);
