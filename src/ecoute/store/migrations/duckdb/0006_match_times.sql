-- Each query match keeps its mention's creation time, and the table is rewritten in
-- (query, created_at) order, so "this query's mentions between t0 and t1" reads only
-- the few row groups DuckDB's min/max indexes point at, instead of every match of the
-- query: a dashboard's partial hours and a search's newest-first windows become small.
-- The store keeps created_at equal to the mention's (ecoute.store.duckdb writes both).
CREATE TABLE mention_queries_new (
    platform   VARCHAR NOT NULL,
    native_id  VARCHAR NOT NULL,
    query      VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (query, platform, native_id)
);
INSERT INTO mention_queries_new
SELECT q.platform, q.native_id, q.query, m.created_at
FROM mention_queries q JOIN mentions m USING (platform, native_id)
ORDER BY q.query, m.created_at;
DROP TABLE mention_queries;
ALTER TABLE mention_queries_new RENAME TO mention_queries;
