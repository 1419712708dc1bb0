-- Author totals over all time, kept in step with the other rollups on every write, so
-- that whole-period rankings (top influencers, fans, detractors) are one top-k read.
--
-- One row per author (platform and handle) within a query ('' for every mention) and a
-- sentiment ('*' for every sentiment, '' for unknown): for any such pair the rows are
-- already one per author, and a ranking reads them without grouping.
CREATE TABLE rollup_author_total (
    query          VARCHAR NOT NULL,
    sentiment      VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL,
    author_handle  VARCHAR NOT NULL,
    mentions       BIGINT NOT NULL,
    reach          BIGINT NOT NULL,
    engagement     BIGINT NOT NULL,
    negative       BIGINT NOT NULL,
    neutral        BIGINT NOT NULL,
    positive       BIGINT NOT NULL,
    PRIMARY KEY (query, sentiment, platform, author_handle)
);

-- A workspace that already has its monthly author rollups gets its totals from them.
INSERT INTO rollup_author_total
SELECT query, s, platform, author_handle, sum(mentions), sum(reach), sum(engagement),
       coalesce(sum(mentions) FILTER (WHERE sentiment = 'negative'), 0),
       coalesce(sum(mentions) FILTER (WHERE sentiment = 'neutral'), 0),
       coalesce(sum(mentions) FILTER (WHERE sentiment = 'positive'), 0)
FROM rollup_author_monthly, (SELECT unnest([sentiment, '*']) AS s)
GROUP BY query, s, platform, author_handle
ORDER BY query, s;
