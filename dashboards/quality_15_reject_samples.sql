-- title: Rejected rows, first examples
-- page: quality
-- chart: table
-- description: The first rejected rows of each file as read (secrets redacted), to fix the export or the parser.
SELECT evidence, reason, excerpt
FROM v_rejects
WHERE time_ms BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
ORDER BY source_path, line
LIMIT 100;
