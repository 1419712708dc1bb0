-- The author rollups and totals carry each author's integer key, hash(platform, handle),
-- as the profiles do (0007): a ranking that sums a period for a thousand leading
-- authors filters millions of rollup rows on an integer, not on two strings each.
-- The store fills it with every write (ecoute.store._duckdb_measures, "author_key").
ALTER TABLE rollup_author_daily ADD COLUMN IF NOT EXISTS author_key UBIGINT;
UPDATE rollup_author_daily SET author_key = hash(platform, author_handle);
ALTER TABLE rollup_author_monthly ADD COLUMN IF NOT EXISTS author_key UBIGINT;
UPDATE rollup_author_monthly SET author_key = hash(platform, author_handle);
ALTER TABLE rollup_author_total ADD COLUMN IF NOT EXISTS author_key UBIGINT;
UPDATE rollup_author_total SET author_key = hash(platform, author_handle);
