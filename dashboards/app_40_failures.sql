-- title: Failures and their causes
-- page: app
-- chart: table
-- description: Failed logins of the app by cause and status; tokentrail timeline --app lists each one with its file:line.
SELECT coalesce(failure_class, 'other') AS cause, status, sum(logins) AS failures, min(first_utc) AS first_utc, max(last_utc) AS last_utc
FROM v_login_daily
WHERE app = :app AND outcome = 'failure' AND day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY cause, status
ORDER BY failures DESC;
