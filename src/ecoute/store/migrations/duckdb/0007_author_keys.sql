-- A profile is looked up by (platform, handle) for every ranking shown: strings that
-- DuckDB compares row by row, since it reads no index for a two-column key. A hash of
-- the pair, an integer it filters at scan speed, narrows millions of profiles to the
-- few asked for first. The store writes it with every profile (ecoute.store.duckdb).
ALTER TABLE authors ADD COLUMN IF NOT EXISTS key_hash UBIGINT;
UPDATE authors SET key_hash = hash(platform, handle);
