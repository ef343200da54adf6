-- title: Who server-to-server apps log in as
-- page: overview
-- chart: table
-- description: JWT bearer and client credentials logins by app and user; an app meant for one Run As user should show one user.
SELECT coalesce(app, '(no app recorded)') AS app, user, flow, outcome, sum(logins) AS logins,
       min(first_utc) AS first_utc, max(last_utc) AS last_utc
FROM v_login_daily
WHERE flow IN ('jwt_bearer', 'client_credentials') AND day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY app, user, flow, outcome
ORDER BY app, logins DESC
LIMIT 200;
