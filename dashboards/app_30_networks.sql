-- title: Networks
-- page: app
-- chart: table
-- description: Source addresses of the app's logins; an integration should come from a few known hosts.
SELECT source_ip, flow, count(*) AS logins, count(DISTINCT user) AS users,
       min(time_utc) AS first_utc, max(time_utc) AS last_utc
FROM v_logins
-- app_id, not app: comparing the id reads no name per login (the week's logins are scanned once per app page).
WHERE app_id = (SELECT id FROM strings WHERE value = :app) AND time_ms BETWEEN coalesce(:since, 0) AND coalesce(:until, 9e15)
GROUP BY source_ip, flow
ORDER BY logins DESC
LIMIT 200;
