-- title: Subjects and Run As users
-- page: app
-- chart: table
-- description: Who the app logged in as by JWT bearer (subjects) and client credentials (Run As user); more than one user for an integration is worth a question. People's logins are counted, not listed (tokentrail timeline --app lists them).
SELECT user, flow, outcome, sum(logins) AS logins, min(first_utc) AS first_utc, max(last_utc) AS last_utc
FROM v_login_daily
WHERE app = :app AND user IS NOT NULL AND day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY user, flow, outcome
ORDER BY logins DESC
LIMIT 200;
