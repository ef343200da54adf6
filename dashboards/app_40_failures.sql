-- title: Failures and their causes
-- page: app
-- chart: table
-- description: Failed logins of the app by cause, with the first one's file:line.
SELECT coalesce(failure_class, 'other') AS cause, status, count(*) AS failures, min(time_utc) AS first_utc, min(evidence) AS an_example
FROM v_logins
WHERE app = :app AND outcome = 'failure' AND time_ms BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
GROUP BY cause, status
ORDER BY failures DESC;
