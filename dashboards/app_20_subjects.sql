-- title: Subjects and Run As users
-- page: app
-- chart: table
-- description: Who the app logged in as, by flow: JWT bearer subjects and the client credentials Run As user. More than one user for an integration is worth a question.
SELECT user, flow, outcome, count(*) AS logins, min(time_utc) AS first_utc, max(time_utc) AS last_utc
FROM v_logins
WHERE app = :app AND time_ms BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
GROUP BY user, flow, outcome
ORDER BY logins DESC
LIMIT 200;
