-- The content hash (what a post says, to tell an edit from a replay) is computed by
-- DuckDB from the row itself since this version, for batches of mentions and bulk
-- tables alike; the hashes stored before were computed in Python. Recompute them
-- with the store's expression (ecoute.store.duckdb.CONTENT_HASH; a test keeps both equal).
UPDATE mentions SET content_hash = hash(text, url, likes, reposts, replies, views, thread_id, parent_id, author_id, author_name, author_followers, CASE WHEN lang_by = 'source' THEN lang END);
