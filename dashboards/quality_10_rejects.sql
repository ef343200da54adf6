-- title: Rejected rows by file and reason
-- page: quality
-- chart: table
-- description: Rows TokenTrail could not normalize (broken structure: an unterminated quote, a wrong column count, an unparseable time), with the file:line of the first one; nothing is dropped silently. "token login" counts the rejects that look like OAuth token-endpoint logins: coverage-gap raises those.
SELECT source_path, reason, count(*) AS rows, sum(token_login) AS token_login, min(evidence) AS first_evidence
FROM v_rejects
WHERE time_ms BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
GROUP BY source_path, reason
ORDER BY rows DESC;
