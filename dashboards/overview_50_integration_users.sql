-- title: Who server-to-server apps log in as
-- page: overview
-- chart: table
-- description: JWT bearer and client credentials logins by app and user; an app meant for one Run As user should show one user.
SELECT coalesce(app, '(no app recorded)') AS app, user, flow, outcome,
       count(*) AS logins, count(DISTINCT source_ip) AS networks, min(time_utc) AS first_utc, max(time_utc) AS last_utc
FROM v_logins
WHERE flow IN ('jwt_bearer', 'client_credentials') AND time_ms BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
GROUP BY app, user, flow, outcome
ORDER BY app, logins DESC;
