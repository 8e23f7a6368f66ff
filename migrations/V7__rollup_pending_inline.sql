-- Pending rollup rows stay in the table's own pages up to a whole page (toast_tuple_target 8160, from the
-- default ~2 kB). A row is one ingest batch's entries for one task: a few kB for a backfill spread over
-- days. Out of line, every such row also wrote, and the fold that deletes it also deleted, its chunks in
-- the TOAST table, each WAL-logged and indexed; the fold then read them back chunk by chunk. Rows larger
-- than a page are still stored out of line, uncompressed (STORAGE EXTERNAL, V5).
ALTER TABLE tail_rollup_pending SET (toast_tuple_target = 8160);
