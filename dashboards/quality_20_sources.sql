-- title: Chain of custody
-- page: quality
-- chart: table
-- description: Every file ever read into this database: its SHA-256, format, counts and when it was read. Re-reading an unchanged file adds nothing.
SELECT path, substr(sha256, 1, 16) AS sha256, format, bytes, rows_read, rows_stored, duplicates, rejects, repaired, ingested_at_utc
FROM v_sources
ORDER BY ingested_at_utc, path;
