-- title: Networks
-- page: app
-- chart: table
-- description: Source addresses of the app's logins; an integration should come from a few known hosts.
SELECT source_ip, flow, sum(logins) AS logins, count(DISTINCT user) AS users,
       min(first_utc) AS first_utc, max(last_utc) AS last_utc
FROM v_login_network_daily
-- The app's rows of the per-day rollup, found by its id through the (app, day) index.
WHERE app_id = (SELECT id FROM strings WHERE value = :app) AND day_ms BETWEEN coalesce(:since, 0) - 86399999 AND coalesce(:until, 9e15)
GROUP BY source_ip, flow
ORDER BY logins DESC
LIMIT 200;
