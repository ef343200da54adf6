-- title: Rejected rows by file and reason
-- page: quality
-- chart: table
-- description: Rows TokenTrail could not normalize, with the file:line of the first one; nothing is dropped silently.
SELECT source_path, reason, count(*) AS rows, min(evidence) AS first_evidence
FROM v_rejects
GROUP BY source_path, reason
ORDER BY rows DESC;
