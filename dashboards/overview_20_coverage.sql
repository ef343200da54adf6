-- title: Coverage per source
-- page: overview
-- chart: table
-- description: Every file whose records fall in the period: what it is, how many rows it gave, duplicates and rejects, and the time it covers. A day missing here is a day no one can review.
SELECT path, format, rows_stored AS stored, duplicates, rejects, repaired, first_time_utc AS first_utc, last_time_utc AS last_utc
FROM v_sources
WHERE rows_stored > 0 AND last_time_ms >= coalesce(:since, 0) AND first_time_ms <= coalesce(:until, 9e15)
ORDER BY format, first_utc;
