-- title: Rejected rows, first examples
-- page: quality
-- chart: table
-- description: The first rejected rows of each file as read (secrets redacted), to fix the export or the parser.
SELECT evidence, reason, excerpt
FROM v_rejects
ORDER BY source_path, line
LIMIT 100;
